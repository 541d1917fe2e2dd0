/**
 * Request ids and the one log line per failed request.
 *
 * The request id comes from the caller's X-Request-Id when it is sane (a till or a proxy can then follow
 * its call through our logs), otherwise it is generated; either way it is echoed in the X-Request-Id
 * response header. Fastify's request logger already carries it as `reqId`, so no line repeats it.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyRequest } from "fastify";
import type { Api } from "../api/http/types.js";
import { wasShed } from "./overload.js";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The code of an error answer `{code, …}`, read back from the serialized body. */
function errorCodeOf(payload: unknown): string | undefined {
  if (typeof payload !== "string" || !payload.startsWith("{")) return undefined;
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === "string" ? code.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

export function installRequestLogging(app: Api): void {
  const errorCodes = new WeakMap<FastifyRequest, string>();

  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });

  app.addHook("onSend", (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && !wasShed(request)) {
      const code = errorCodeOf(payload);
      if (code) errorCodes.set(request, code);
    }
    done(null, payload);
  });

  // Successes are logged at debug: at thousands of requests a second an info line each would cost more
  // than the request. Failures are always logged, with their code and path; never the query string,
  // which may carry what a caller should not have put there.
  app.addHook("onResponse", (request, reply, done) => {
    // The overload guard sums its refusals up once a second instead (a line each would add to the load).
    if (wasShed(request)) return done();
    const status = reply.statusCode;
    const fields = {
      method: request.method,
      url: request.url.split("?", 1)[0],
      route: request.routeOptions.url,
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...(status >= 400 ? { code: errorCodes.get(request) ?? null } : {}),
    };
    if (status >= 500) request.log.error(fields, "request failed");
    else if (status >= 400) request.log.info(fields, "request refused");
    else request.log.debug(fields, "request done");
    done();
  });
}
