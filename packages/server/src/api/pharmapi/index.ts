/**
 * The PharmApi facade (`/api/{v1.0|v1.1}[-encoded]/{method}`, trailing slash accepted): pharmacy software
 * that speaks PharmApi switches to Kopilka by changing only host and credentials. The order of checks and
 * the statuses are the reference server's (docs/pharmapi-protocol.md §1.4): the API root answers its text;
 * a missing or empty Authorization-Token/Authorization-Secret is 401, a wrong pair 403 (both before the
 * method), a method other than POST 405, an unknown method or version 404, a body that is not JSON of the
 * request's shape 400 — all in text/plain; a request that parses but breaks a rule of the protocol is
 * HTTP 200 with `status: "error"` and `error_code: 400`, and nothing is written. The `-encoded` variant
 * carries the same JSON url-encoded as a whole, in both directions.
 *
 * The body is read raw (any content type, never 415) and parsed here, keeping each number's text, so
 * money converts exactly from what the POS wrote.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Services } from "../../app/services.js";
import { DomainError } from "../../kernel/index.js";
import type { PharmApiCaller } from "../../modules/pharmapi/index.js";
import type { Api } from "../http/types.js";
import { BodyTypeError, objectOf, ValidationError } from "./fields.js";
import { JsonSyntaxError, parseJson, writeJson } from "./json.js";
import { envelope, POS_METHODS } from "./methods.js";
import {
  PHARMAPI_UPLOAD_BODY_LIMIT_BYTES,
  type PharmApiUploadMethod,
  pharmApiUploadMethods,
} from "./uploads.js";

export type { PharmApiUploadMethod } from "./uploads.js";

/**
 * The upload methods (update_pharmacies, pl, update_prices, sellout: `uploads.ts`), dispatched here after
 * authentication and the POST check. `request.body` is the raw body as a Buffer (url-decoding of
 * `-encoded` JSON is theirs); they answer a body, its type when not JSON, and a status when not 200.
 */
const UPLOAD_METHODS: Record<string, PharmApiUploadMethod> = { ...pharmApiUploadMethods };

/** Uploads carry a pharmacy's whole stock (100k rows is about 15 MB). */
const UPLOAD_BODY_LIMIT = PHARMAPI_UPLOAD_BODY_LIMIT_BYTES;
const VERSIONS = new Set(["v1.0", "v1.1", "v1.0-encoded", "v1.1-encoded"]);
const ROOT_TEXT =
  "Протокол like-pharma. Пожалуйста ознакомьтесь с документацией, чтобы сформировать корректный запрос.";
const TEXT = "text/plain;charset=utf-8";
const ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;

/** Form url-decoding as .NET's WebUtility.UrlDecode: `+` is a space, bad `%` sequences stay as they are. */
export function urlDecode(text: string): string {
  return text
    .replace(/\+/g, " ")
    .replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ""), "hex").toString("utf8"));
}

/** Form url-encoding as .NET's WebUtility.UrlEncode: space as `+`, `~` and `'` encoded too. */
export function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, "+").replace(/~/g, "%7E").replace(/'/g, "%27");
}

/** The version and method a request names; upload routes have the method as a fixed segment. */
function target(request: FastifyRequest): { version: string; method: string } {
  const params = request.params as Params;
  const fixed = request.routeOptions.url?.replace(/\/$/, "").split("/").at(-1) ?? "";
  return { version: params.version ?? "", method: params.method ?? (fixed.startsWith(":") ? "" : fixed) };
}

function text(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type(TEXT).send(body);
}

interface Params {
  version?: string;
  method?: string;
}

export async function registerPharmApi(
  app: Api,
  services: Services,
  bodyLimit: number,
  uploads: Readonly<Record<string, PharmApiUploadMethod>> = UPLOAD_METHODS,
): Promise<void> {
  await app.register(async (scope) => {
    // Any content type, or none: the body is read raw and parsed below.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
    const callers = new WeakMap<FastifyRequest, PharmApiCaller>();

    // Only a version the facade speaks has a root; any other path under /api is an ordinary 404.
    const root = async (request: FastifyRequest, reply: FastifyReply) =>
      VERSIONS.has(target(request).version) ? text(reply, 200, ROOT_TEXT) : reply.callNotFound();
    for (const url of ["/api/:version", "/api/:version/"])
      scope.route({ method: [...ALL_METHODS], url, schema: { hide: true }, handler: root });

    /**
     * Authentication, the HTTP method and the method name are checked before the body is read (onRequest):
     * a stranger's body is never buffered, and the statuses keep the reference server's order.
     */
    const guard = async (request: FastifyRequest, reply: FastifyReply) => {
      const { version, method } = target(request);
      const token = request.headers["authorization-token"];
      const secret = request.headers["authorization-secret"];
      if (typeof token !== "string" || token === "" || typeof secret !== "string" || secret === "")
        return text(reply, 401, "Необходима авторизация (401 Unauthorized).");
      let caller: PharmApiCaller | null;
      try {
        caller = await services.pharmApiAuth.authenticate(token, secret, request.ip ?? null);
      } catch (error) {
        if (error instanceof DomainError && error.code === "RATE_LIMITED") {
          reply.header("retry-after", String(error.details.retryAfterSeconds ?? 60));
          return text(reply, 429, "Слишком много неудачных попыток входа (429 TooManyRequests).");
        }
        throw error;
      }
      if (!caller) return text(reply, 403, "Доступ запрещён (403 Forbidden).");
      if (request.method !== "POST") return text(reply, 405, "Недопустимый метод (405 MethodNotAllowed).");
      if (!VERSIONS.has(version) || (!Object.hasOwn(POS_METHODS, method) && !Object.hasOwn(uploads, method)))
        return text(reply, 404, "Недопустимый адрес (404 NotFound).");
      callers.set(request, caller);
      // No content type is a body all the same (the reference server never looks at it).
      if (request.headers["content-type"] === undefined)
        request.headers["content-type"] = "application/octet-stream";
      return undefined;
    };

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const { version, method } = target(request);
      const caller = callers.get(request);
      if (!caller) throw new Error("PharmApi route reached without its guard");
      const posMethod = Object.hasOwn(POS_METHODS, method) ? POS_METHODS[method] : undefined;
      const upload = Object.hasOwn(uploads, method) ? uploads[method] : undefined;
      const encoded = version.endsWith("-encoded");
      if (upload) {
        const answer = await upload(caller, request, services);
        const body = typeof answer.body === "string" ? answer.body : writeJson(answer.body);
        return reply
          .code(answer.statusCode ?? 200)
          .type(answer.contentType ?? "application/json; charset=utf-8")
          .send(encoded && answer.contentType === undefined ? urlEncode(body) : body);
      }
      const raw = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
      let source = raw.toString("utf8");
      // A raw JSON body on the encoded path is read as is: decoding it would turn "+7…" into " 7…".
      if (encoded && !source.trimStart().startsWith("{")) source = urlDecode(source);
      let answer: Record<string, unknown>;
      try {
        const parsed = objectOf(parseJson(source), "тело запроса");
        answer = await posMethod!(
          { caller, service: services.pharmApi, version: version.startsWith("v1.0") ? "v1.0" : "v1.1" },
          parsed,
        );
      } catch (error) {
        if (error instanceof JsonSyntaxError || error instanceof BodyTypeError)
          return text(reply, 400, `Ошибка при чтении JSON: ${error.message}`);
        if (error instanceof ValidationError) answer = envelope({}, 400, error.message);
        else throw error;
      }
      const json = writeJson(answer);
      return reply
        .code(200)
        .type("application/json; charset=utf-8")
        .send(encoded ? urlEncode(json) : json);
    };
    // The POS methods keep the small body limit; the uploads (a pharmacy's whole stock) get their own.
    for (const url of ["/api/:version/:method", "/api/:version/:method/"])
      scope.route({
        method: [...ALL_METHODS],
        url,
        bodyLimit,
        schema: { hide: true },
        onRequest: guard,
        handler: handle,
      });
    for (const name of Object.keys(uploads))
      for (const url of [`/api/:version/${name}`, `/api/:version/${name}/`])
        scope.route({
          method: [...ALL_METHODS],
          url,
          bodyLimit: UPLOAD_BODY_LIMIT,
          schema: { hide: true },
          onRequest: guard,
          handler: handle,
        });
  });
}
