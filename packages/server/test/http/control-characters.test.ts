/**
 * Control characters (NUL and the like) in any text input are refused with 400 VALIDATION_FAILED naming
 * the field, before anything reaches a service or the database; PostgreSQL would otherwise answer a
 * 500 for NUL. The table is generated from the registered routes, through their OpenAPI description, so
 * a route added later is fuzzed without anyone writing a line here.
 */
import { once } from "node:events";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerFor, makeUser } from "../support/admin.js";
import {
  call,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  writeCounts,
} from "../support/harness.js";
import {
  fieldName,
  fillPath,
  type Operation,
  openApiDocument,
  operations,
  type Schema,
  sample,
  setAt,
  stringFields,
} from "../support/openapi.js";

let t: TestApp;
let p: SeededPartner;
let ops: Operation[];
let adminToken: string;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  adminToken = await bearerFor(t, await makeUser(t, "fuzz@platform.test", undefined, true));
  ops = operations(await openApiDocument(t));
});
afterAll(async () => t?.close());

/** NUL, other C0 controls (GS included: only fields that opt in take it), DEL. */
const CONTROLS = ["\u0000", "\u0001", "\u001b", "\u001d", "\u007f"];
const tainted = (c: string) => `A${c}1`;

/** The credentials a route needs; a surface that authenticates otherwise adds its way here. */
function authHeaders(op: Operation): Record<string, string> | null {
  if (!op.authenticated) return {};
  if (op.path.startsWith("/v1/")) return { authorization: `Bearer ${p.tokens.any}` };
  if (op.path.startsWith("/admin/v1/")) return { authorization: `Bearer ${adminToken}` };
  return null;
}

/** Admin routes resolve their partner before validation: they name one that exists. */
const paramSample = (name: string, schema: Schema) =>
  name === "partnerCode" ? p.code : String(sample(schema));

function baseInput(op: Operation) {
  const params = Object.fromEntries(Object.entries(op.params).map(([k, s]) => [k, paramSample(k, s)]));
  const query = Object.fromEntries(Object.entries(op.query).map(([k, s]) => [k, String(sample(s))]));
  return { params, query, body: op.body ? sample(op.body) : undefined };
}

interface Attempt {
  label: string;
  op: Operation;
  url: string;
  body: unknown;
  field: string;
  location: string;
}

/** The control characters a body field opts in to (a DataMatrix code carries GS). */
function allowedAt(schema: Schema, path: (string | number)[]): string {
  let node: Schema | undefined = schema;
  for (const step of path) {
    const options = (node?.anyOf ?? node?.oneOf) as Schema[] | undefined;
    if (options) node = options.find((o) => o.type !== "null") ?? options[0];
    node = (
      typeof step === "number"
        ? node?.items
        : (node?.properties as Record<string, Schema> | undefined)?.[step]
    ) as Schema | undefined;
  }
  const allowed = node?.["x-allow-control-characters"];
  return typeof allowed === "string" ? allowed : "";
}

function attempts(): Attempt[] {
  const out: Attempt[] = [];
  for (const op of ops) {
    const base = baseInput(op);
    const url = (params: Record<string, string>, query: Record<string, string>) => {
      const qs = new URLSearchParams(query).toString();
      return `${fillPath(op.path, params)}${qs ? `?${qs}` : ""}`;
    };
    for (const c of CONTROLS) {
      const label = `${op.method} ${op.path} U+${c.codePointAt(0)!.toString(16).padStart(4, "0")}`;
      for (const name of Object.keys(op.params)) {
        out.push({
          label: `${label} param ${name}`,
          op,
          url: url({ ...base.params, [name]: tainted(c) }, base.query),
          body: base.body,
          field: name,
          location: "params",
        });
      }
      for (const [name, schema] of Object.entries(op.query)) {
        if ((schema as Schema).type !== "string") continue;
        out.push({
          label: `${label} query ${name}`,
          op,
          url: url(base.params, { ...base.query, [name]: tainted(c) }),
          body: base.body,
          field: name,
          location: "querystring",
        });
      }
      if (op.body) {
        for (const path of stringFields(op.body)) {
          if (allowedAt(op.body, path).includes(c)) continue;
          out.push({
            label: `${label} body ${fieldName(path)}`,
            op,
            url: url(base.params, base.query),
            body: setAt(base.body, path, tainted(c)),
            field: fieldName(path),
            location: "body",
          });
        }
      }
    }
  }
  return out;
}

describe("control characters in text input", () => {
  it("the table covers the POS surface's text fields", () => {
    const fields = new Set(attempts().map((a) => `${a.op.method} ${a.op.path} ${a.field}`));
    for (const expected of [
      "POST /v1/auth/token login",
      "PUT /v1/products items[0].category",
      "PUT /v1/products items[0].sku",
      "PUT /v1/cards programCode",
      "POST /v1/purchases/calculate lines[0].sku",
      "POST /v1/purchases/calculate storeCode",
      "GET /v1/products/{sku} sku",
      "POST /v1/purchases/{purchaseId}/confirm purchaseId",
    ]) {
      expect(fields, expected).toContain(expected);
    }
  });

  it("every route refuses them in every text field: 400 naming the field, never a 5xx, nothing written", async () => {
    const before = await writeCounts(t);
    const table = attempts();
    expect(table.length).toBeGreaterThan(100);
    for (const a of table) {
      const headers = authHeaders(a.op);
      if (headers === null) continue;
      const res = await t.server.app.inject({
        method: a.op.method,
        url: a.url,
        headers,
        ...(a.body !== undefined ? { payload: a.body as object } : {}),
      });
      expect(res.statusCode, `${a.label}: ${res.body}`).toBe(400);
      const body = res.json();
      expect(body.code, a.label).toBe("VALIDATION_FAILED");
      expect(body.details, a.label).toMatchObject({ field: a.field, location: a.location });
    }
    expect(await writeCounts(t)).toEqual(before);
  });

  it("the message says what is wrong, in either language", async () => {
    const res = await call(t, "POST", "/v1/auth/token", { payload: { login: "pos\u0000", secret: "x" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe(
      "Поле login заполнено неверно: содержит управляющий символ (например, NUL), такие символы не допускаются",
    );
  });

  it("tab, line feed and carriage return are text, and are accepted", async () => {
    const res = await call(t, "PUT", "/v1/products", {
      token: p.tokens.any,
      payload: { items: [{ sku: "TAB-1", name: "Line one\nline two\twith a tab\r\n" }] },
    });
    expect(res.statusCode).toBe(200);
  });

  it("a raw control character in a header never reaches the server: Node's parser refuses it", async () => {
    const address = await t.server.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = new URL(address);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.write(
      `GET /v1/programs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.tokens.any}\r\nX-Note: a\u0000b\r\n\r\n`,
    );
    await once(socket, "close");
    const answer = Buffer.concat(chunks).toString("utf8");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({ code: "BAD_REQUEST" });
  });
});
