/**
 * The PharmApi upload methods mounted the way the transport mounts them: at the protocol's paths (both
 * versions, plain and `-encoded`, with and without the trailing slash), POST only, the route's own body
 * limit, and a content-type parser that reads nothing, so the method streams `request.raw` itself. The
 * transport's authentication is stood in for by `Authorization-Token` carrying the partner's code.
 */
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { PHARMAPI_UPLOAD_BODY_LIMIT_BYTES, pharmApiUploadMethods } from "../../src/api/pharmapi/uploads.js";
import { findPartnerByCode } from "../../src/modules/partners/index.js";
import type { TestApp } from "./harness.js";

export const UPLOAD_VERSIONS = ["v1.0", "v1.1", "v1.0-encoded", "v1.1-encoded"] as const;

export async function startUploadTransport(t: TestApp): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Leaves the body unread: the upload method streams it from request.raw.
    scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
    for (const version of UPLOAD_VERSIONS) {
      for (const [name, method] of Object.entries(pharmApiUploadMethods)) {
        for (const url of [`/api/${version}/${name}`, `/api/${version}/${name}/`]) {
          scope.post(url, { bodyLimit: PHARMAPI_UPLOAD_BODY_LIMIT_BYTES }, async (request, reply) => {
            const token = request.headers["authorization-token"];
            const partner =
              typeof token === "string" && token ? await findPartnerByCode(t.database.db, token) : null;
            if (!partner) {
              reply.code(403).type("text/plain; charset=utf-8");
              return "Доступ запрещён (403 Forbidden).";
            }
            const answer = await method(
              { partnerId: partner.id, partnerCode: token as string },
              request,
              t.server.services,
            );
            reply.code(answer.statusCode ?? 200).type(answer.contentType ?? "application/json");
            return typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
          });
        }
      }
    }
  });
  await app.ready();
  return app;
}

export interface UploadCall {
  version?: (typeof UPLOAD_VERSIONS)[number];
  body: string | Buffer;
  contentType?: string;
}

export async function upload(
  app: FastifyInstance,
  partnerCode: string,
  method: keyof typeof pharmApiUploadMethods,
  call: UploadCall,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url: `/api/${call.version ?? "v1.1"}/${method}`,
    headers: {
      "authorization-token": partnerCode,
      "authorization-secret": "test",
      ...(call.contentType !== undefined ? { "content-type": call.contentType } : {}),
    },
    payload: call.body,
  });
}

/** A JSON upload: the envelope of an HTTP 200 answer (fails the test on any other status). */
export async function uploadJson(
  app: FastifyInstance,
  partnerCode: string,
  method: keyof typeof pharmApiUploadMethods,
  body: unknown,
  version: UploadCall["version"] = "v1.1",
): Promise<{ status: string; error_code: number; message: string }> {
  const res = await upload(app, partnerCode, method, {
    version,
    body: typeof body === "string" ? body : JSON.stringify(body),
    contentType: "application/json",
  });
  if (res.statusCode !== 200) throw new Error(`${method}: HTTP ${res.statusCode} ${res.body}`);
  return res.json();
}
