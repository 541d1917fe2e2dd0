/** A PharmApi client for tests: the test-program preset on a fresh partner, and calls over app.inject. */
import type { DiscountProgramCreate } from "@kopilka/contract";
import type { LightMyRequestResponse } from "fastify";
import { createPartner } from "../../src/modules/partners/index.js";
import { loadTestPreset } from "../../src/modules/pharmapi/index.js";
import type { TestApp } from "./harness.js";

export const PHARM_TOKEN = "test-pharmapi-token";
export const PHARM_SECRET = "test-pharmapi-secret";
export const VALID_CARD = "1234567890050";
export const INVALID_CARD = "1234567890055";
export const POS = { pos_id: "test-pos", pharmacy_id: "test-pharmacy" };

export async function seedPharmApi(t: TestApp, code = "pharma"): Promise<{ partnerId: number }> {
  const partnerId = await createPartner(t.database.db, code, `Partner ${code}`, t.clock.now());
  await loadTestPreset(t.database, t.clock, {
    partnerId,
    partnerCode: code,
    token: PHARM_TOKEN,
    secret: PHARM_SECRET,
  });
  return { partnerId };
}

/** Creates a discount program of the partner through the cabinet's service (as a test actor); its id. */
export async function createDiscountProgram(
  t: TestApp,
  partnerId: number,
  body: DiscountProgramCreate,
  partnerCode = "pharma",
): Promise<number> {
  await t.server.services.discountPrograms.create(
    { userId: null, address: "test" },
    { id: partnerId, code: partnerCode },
    body,
  );
  const row = await t.database.db
    .selectFrom("programs")
    .select("id")
    .where("partner_id", "=", partnerId)
    .where("code", "=", body.code)
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface PharmCall {
  version?: string;
  httpMethod?: "POST" | "GET" | "PUT";
  headers?: Record<string, string>;
  raw?: string;
}

export function pharm(
  t: TestApp,
  method: string,
  body: unknown,
  options: PharmCall = {},
): Promise<LightMyRequestResponse> {
  return t.server.app.inject({
    method: options.httpMethod ?? "POST",
    url: `/api/${options.version ?? "v1.1"}/${method}`,
    headers: {
      "authorization-token": PHARM_TOKEN,
      "authorization-secret": PHARM_SECRET,
      "content-type": "application/json",
      ...options.headers,
    },
    ...(options.httpMethod === "GET" ? {} : { payload: options.raw ?? JSON.stringify(body) }),
  });
}

/** A POST whose answer must be a JSON envelope (HTTP 200). */
export async function pharmJson(t: TestApp, method: string, body: unknown, options: PharmCall = {}) {
  const res = await pharm(t, method, body, options);
  if (res.statusCode !== 200) throw new Error(`${method}: ${res.statusCode} ${res.body}`);
  // biome-ignore lint/suspicious/noExplicitAny: answers are asserted field by field, as the protocol's JSON
  return res.json() as Record<string, any>;
}
