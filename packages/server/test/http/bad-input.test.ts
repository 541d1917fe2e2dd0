import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  writeCounts,
} from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp({ BODY_LIMIT_BYTES: "65536" });
  p = await seedPartner(t);
  await call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.any, payload: receipt(p, "open") });
  await call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.any, payload: receipt(p, "done") });
  await call(t, "POST", "/v1/purchases/done/confirm", { token: p.tokens.any, payload: {} });
});
afterAll(async () => t?.close());

const line = { lineId: "1", sku: "P1", quantity: 1000, price: 10_000 };
const withLines = (...lines: unknown[]) => receipt(p, "bad", { lines });

interface Case {
  name: string;
  method: "POST" | "PUT" | "GET";
  url: string;
  payload?: unknown;
  raw?: string;
  contentType?: string;
  status: number;
  code: string;
  field?: string;
}

const cases = (): Case[] => [
  // calculate
  {
    name: "quantity as a string",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, quantity: "1" }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].quantity",
  },
  {
    name: "fractional quantity",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, quantity: 1.5 }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].quantity",
  },
  {
    name: "zero quantity",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, quantity: 0 }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].quantity",
  },
  {
    name: "negative quantity",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, quantity: -1000 }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].quantity",
  },
  {
    name: "absurd quantity",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, quantity: 1e12 }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].quantity",
  },
  {
    name: "negative price",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, price: -1 }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].price",
  },
  {
    name: "absurd price",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, price: 1e15 }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].price",
  },
  {
    name: "price as float",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, price: 99.9 }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].price",
  },
  {
    name: "duplicate line ids",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines(line, { ...line, sku: "P2" }),
    status: 400,
    code: "DUPLICATE_LINE_ID",
    field: "lines[1].lineId",
  },
  {
    name: "line without product",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ lineId: "1", quantity: 1000, price: 100 }),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].sku",
  },
  {
    name: "amount above price × quantity",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines({ ...line, amount: 10_001 }),
    status: 422,
    code: "LINE_AMOUNT_TOO_HIGH",
    field: "lines[0].amount",
  },
  {
    name: "no lines",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines(),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines",
  },
  {
    name: "too many lines",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: withLines(...Array.from({ length: 501 }, (_, i) => ({ ...line, lineId: String(i) }))),
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines",
  },
  {
    name: "unknown field",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: { ...withLines(line), discountPlease: true },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "discountPlease",
  },
  {
    name: "missing store",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: { ...withLines(line), storeCode: undefined },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "storeCode",
  },
  {
    name: "hostile purchase id",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: { ...withLines(line), purchaseId: "'; drop table purchases; --" },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "purchaseId",
  },
  {
    name: "unknown card",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: { ...withLines(line), cardNumber: "no-such-card" },
    status: 404,
    code: "CARD_NOT_FOUND",
    field: "cardNumber",
  },
  {
    name: "blocked card",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: { ...withLines(line), cardNumber: p.cards.blocked },
    status: 422,
    code: "CARD_BLOCKED",
    field: "cardNumber",
  },
  {
    name: "unknown store",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: { ...withLines(line), storeCode: "nowhere" },
    status: 404,
    code: "STORE_NOT_FOUND",
    field: "storeCode",
  },
  {
    name: "malformed JSON",
    method: "POST",
    url: "/v1/purchases/calculate",
    raw: '{"purchaseId": ',
    status: 400,
    code: "MALFORMED_JSON",
  },
  {
    name: "body not JSON",
    method: "POST",
    url: "/v1/purchases/calculate",
    raw: "purchaseId=1",
    contentType: "text/plain",
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "oversize body",
    method: "POST",
    url: "/v1/purchases/calculate",
    raw: JSON.stringify({ ...withLines(line), posCode: "x".repeat(70_000) }),
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
  },
  {
    name: "array body",
    method: "POST",
    url: "/v1/purchases/calculate",
    payload: [1, 2],
    status: 400,
    code: "VALIDATION_FAILED",
  },
  // bonus payment
  {
    name: "negative points",
    method: "POST",
    url: "/v1/purchases/open/bonus-payment",
    payload: { amount: -100 },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "amount",
  },
  {
    name: "points as string",
    method: "POST",
    url: "/v1/purchases/open/bonus-payment",
    payload: { amount: "100" },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "amount",
  },
  {
    name: "bonus payment on unknown purchase",
    method: "POST",
    url: "/v1/purchases/nope/bonus-payment",
    payload: { amount: 1 },
    status: 404,
    code: "PURCHASE_NOT_FOUND",
    field: "purchaseId",
  },
  {
    name: "bonus payment after confirm",
    method: "POST",
    url: "/v1/purchases/done/bonus-payment",
    payload: { amount: 1 },
    status: 409,
    code: "PURCHASE_STATE_CONFLICT",
  },
  {
    name: "bad purchase id in path",
    method: "POST",
    url: "/v1/purchases/%20x%20/confirm",
    payload: {},
    status: 400,
    code: "VALIDATION_FAILED",
    field: "purchaseId",
  },
  // confirm
  {
    name: "fiscal as a string",
    method: "POST",
    url: "/v1/purchases/open/confirm",
    payload: { fiscal: "x" },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "fiscal",
  },
  {
    name: "confirm of unknown purchase",
    method: "POST",
    url: "/v1/purchases/nope/confirm",
    payload: {},
    status: 404,
    code: "PURCHASE_NOT_FOUND",
  },
  // refunds
  {
    name: "refund without id",
    method: "POST",
    url: "/v1/purchases/done/refunds",
    payload: {},
    status: 400,
    code: "VALIDATION_FAILED",
    field: "refundId",
  },
  {
    name: "refund of zero quantity",
    method: "POST",
    url: "/v1/purchases/done/refunds",
    payload: { refundId: "r", lines: [{ lineId: "1", quantity: 0 }] },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "lines[0].quantity",
  },
  {
    name: "refund of negative points",
    method: "POST",
    url: "/v1/purchases/done/refunds",
    payload: { refundId: "r", pointsToReturn: -5 },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "pointsToReturn",
  },
  // master data
  {
    name: "product without name",
    method: "PUT",
    url: "/v1/products",
    payload: { items: [{ sku: "Q1" }] },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "items[0].name",
  },
  {
    name: "duplicate SKU in a batch",
    method: "PUT",
    url: "/v1/products",
    payload: {
      items: [
        { sku: "Q1", name: "a" },
        { sku: "Q1", name: "b" },
      ],
    },
    status: 400,
    code: "DUPLICATE_ITEM",
    field: "items[1].sku",
  },
  {
    name: "negative min price",
    method: "PUT",
    url: "/v1/products",
    payload: { items: [{ sku: "Q1", name: "a", minPrice: -1 }] },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "items[0].minPrice",
  },
  {
    name: "card of unknown status",
    method: "PUT",
    url: "/v1/cards",
    payload: { programCode: "main", items: [{ number: "c1", status: "gold" }] },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    name: "cards for unknown program",
    method: "PUT",
    url: "/v1/cards",
    payload: { programCode: "nope", items: [{ number: "c1" }] },
    status: 404,
    code: "PROGRAM_NOT_FOUND",
    field: "programCode",
  },
  {
    name: "duplicate card in a batch",
    method: "PUT",
    url: "/v1/cards",
    payload: { programCode: "main", items: [{ number: "c1" }, { number: "c1" }] },
    status: 400,
    code: "DUPLICATE_ITEM",
    field: "items[1].number",
  },
  {
    name: "ledger limit not a number",
    method: "GET",
    url: `/v1/cards/${p.cards.rich}/ledger?limit=abc`,
    status: 400,
    code: "VALIDATION_FAILED",
    field: "limit",
  },
  { name: "unknown route", method: "GET", url: "/v1/nothing-here", status: 404, code: "NOT_FOUND" },
  {
    name: "token request without secret",
    method: "POST",
    url: "/v1/auth/token",
    payload: { login: "x" },
    status: 400,
    code: "VALIDATION_FAILED",
    field: "secret",
  },
];

describe("bad input", () => {
  it("is answered with a 4xx, a stable code and the field at fault, and writes nothing", async () => {
    for (const c of cases()) {
      const before = await writeCounts(t);
      const res = await t.server.app.inject({
        method: c.method,
        url: c.url,
        headers: {
          authorization: `Bearer ${p.tokens.any}`,
          ...(c.raw !== undefined ? { "content-type": c.contentType ?? "application/json" } : {}),
        },
        ...(c.raw !== undefined
          ? { payload: c.raw }
          : c.payload !== undefined
            ? { payload: c.payload as object }
            : {}),
      });
      expect(res.statusCode, `${c.name}: ${res.body}`).toBe(c.status);
      const body = res.json();
      expect(body.code, c.name).toBe(c.code);
      expect(typeof body.message, c.name).toBe("string");
      expect(body.details, c.name).toBeTypeOf("object");
      if (c.field) expect(body.details.field, c.name).toBe(c.field);
      expect(await writeCounts(t), c.name).toEqual(before);
    }
  });

  it("answers random bodies on every endpoint without a 5xx; every refusal has the error shape", async () => {
    const fc = (await import("fast-check")).default;
    const urls = [
      ["POST", "/v1/purchases/calculate"],
      ["POST", "/v1/purchases/open/bonus-payment"],
      ["POST", "/v1/purchases/open/confirm"],
      ["POST", "/v1/purchases/done/refunds"],
      ["PUT", "/v1/products"],
      ["PUT", "/v1/cards"],
      ["POST", "/v1/auth/token"],
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...urls),
        fc.oneof(fc.jsonValue(), fc.string()),
        async ([method, url], value) => {
          const res = await t.server.app.inject({
            method,
            url,
            headers: { authorization: `Bearer ${p.tokens.any}`, "content-type": "application/json" },
            payload: typeof value === "string" ? value : JSON.stringify(value),
          });
          if (res.statusCode >= 500) return false;
          return res.statusCode < 400 || typeof res.json().code === "string";
        },
      ),
      { numRuns: 300 },
    );
  });
});
