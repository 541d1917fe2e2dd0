/**
 * Promo codes in the purchase flow. Which codes a receipt uses is the engine's business (the
 * `promo_code` condition); this file keeps the count honest:
 *
 * - before pricing (`planPromoCodes`), every presented code is looked up and judged (validity, program,
 *   card, limits counted without this purchase's own use); a usable code is handed to the engine under its
 *   rule key (its campaign, or the code itself), an unusable one is left out with a cashier message, so
 *   the receipt never carries a discount of a code it cannot have;
 * - in calculate's transaction (`reservePromoCodes`), the codes the engine applied are reserved with a
 *   conditional update (`uses_reserved + uses_consumed < max_uses`), which also locks the code row; the
 *   purchase's earlier reservations that are no longer applied are released. A code another purchase took
 *   meanwhile throws `PromoCodeTaken`: the transaction rolls back and calculate prices the receipt again
 *   without it (`withPromoCodeRetry`), so calculate never fails for a code;
 * - confirm consumes the reservations (`consumePromoCodes`), cancel and expiry release them
 *   (`releasePromoCodes`); a cancel after confirm gives the uses back.
 *
 * Every function runs in the caller's transaction, after the purchase row is locked and before the points
 * account: lock order purchase → promo codes (by id) → points account.
 */
import type { CashierMessage } from "../../core/engine/types.js";
import {
  judgePromoCode,
  normalizePromoCode,
  type PromoCodeVerdict,
  promoCodeMessageRu,
} from "../../core/promo-codes.js";
import type { Executor, Trx } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";

const LIVE = ["reserved", "consumed"] as const;

export interface PlannedCode {
  id: number;
  code: string;
  key: string;
}

export interface RefusedCode {
  code: string;
  reason: PromoCodeVerdict;
  message: string;
}

export interface PromoPlan {
  /** What the engine sees: each usable code's rule key; codes this module does not know, as presented. */
  engineCodes: string[];
  /** Usable codes by rule key (the first presented code of a campaign). */
  byKey: Map<string, PlannedCode>;
  refused: RefusedCode[];
}

const EMPTY_PLAN: PromoPlan = { engineCodes: [], byKey: new Map(), refused: [] };

/** A code another purchase reserved between the plan and the reservation: price again without it. */
export class PromoCodeTaken extends Error {
  constructor(
    readonly code: string,
    readonly reason: "EXHAUSTED" | "USED_BY_CARD",
  ) {
    super(`promo code ${code} was taken by a concurrent purchase`);
    this.name = "PromoCodeTaken";
  }
}

export interface PlanRequest {
  partnerId: number;
  programId: number | null;
  cardId: number | null;
  presented: readonly string[];
  /** The POS purchase id: its own live uses do not count against it (a recalculation keeps them). */
  purchaseExternalId: string;
  now: number;
  /** Codes refused by an earlier attempt of this calculate (another purchase took them). */
  refused?: ReadonlyMap<string, "EXHAUSTED" | "USED_BY_CARD">;
  timeZone?: string;
}

type CodeRow = Row<"promo_codes">;

/** Judges the presented codes before pricing. Reads only (outside any transaction). */
export async function planPromoCodes(db: Executor, request: PlanRequest): Promise<PromoPlan> {
  if (request.presented.length === 0) return EMPTY_PLAN;
  const presented = [...new Set(request.presented.map(normalizePromoCode))].filter((c) => c !== "");
  if (presented.length === 0) return EMPTY_PLAN;
  const rows = await db
    .selectFrom("promo_codes")
    .selectAll()
    .where("partner_id", "=", request.partnerId)
    .where("code", "in", presented)
    .execute();
  const own = await ownLiveUses(
    db,
    request.partnerId,
    request.purchaseExternalId,
    rows.map((r) => r.id),
  );
  const byCard = await cardLiveUses(db, request.cardId, rows, request.partnerId, request.purchaseExternalId);
  const plan: PromoPlan = { engineCodes: [], byKey: new Map(), refused: [] };
  for (const code of presented) {
    const candidates = rows.filter((r) => r.code === code);
    if (candidates.length === 0) {
      // Not a code of this module: a rule may still name it (then it is unlimited).
      plan.engineCodes.push(code);
      continue;
    }
    const row = candidates.find((r) => r.program_id === request.programId) ?? candidates[0]!;
    const ownUse = own.has(row.id) ? 1 : 0;
    const retried = request.refused?.get(code);
    const verdict: PromoCodeVerdict =
      retried ??
      judgePromoCode(
        {
          programId: row.program_id,
          maxUses: row.max_uses,
          maxUsesPerCard: row.max_uses_per_card,
          validFrom: row.valid_from,
          validTo: row.valid_to,
          cardId: row.card_id,
          disabled: row.disabled_at !== null,
          usesByOthers: row.uses_reserved + row.uses_consumed - ownUse,
          usesByCard: byCard.get(row.id) ?? 0,
        },
        { now: request.now, programId: request.programId, cardId: request.cardId },
      );
    if (verdict !== "VALID") {
      plan.refused.push({
        code,
        reason: verdict,
        message: promoCodeMessageRu(code, verdict, {
          validFrom: row.valid_from,
          validTo: row.valid_to,
          ...(request.timeZone ? { timeZone: request.timeZone } : {}),
        }),
      });
      continue;
    }
    const key = row.campaign ?? row.code;
    if (plan.byKey.has(key)) continue;
    plan.byKey.set(key, { id: row.id, code: row.code, key });
    plan.engineCodes.push(key);
  }
  return plan;
}

async function ownLiveUses(
  db: Executor,
  partnerId: number,
  externalId: string,
  codeIds: number[],
): Promise<Set<number>> {
  if (codeIds.length === 0) return new Set();
  // Reads the purchases table (owned by purchases) only to find this purchase's row.
  const rows = await db
    .selectFrom("promo_code_uses as u")
    .innerJoin("purchases as p", "p.id", "u.purchase_id")
    .select("u.promo_code_id")
    .where("p.partner_id", "=", partnerId)
    .where("p.external_id", "=", externalId)
    .where("u.promo_code_id", "in", codeIds)
    .where("u.state", "in", LIVE)
    .execute();
  return new Set(rows.map((r) => r.promo_code_id));
}

async function cardLiveUses(
  db: Executor,
  cardId: number | null,
  rows: CodeRow[],
  partnerId: number,
  externalId: string,
): Promise<Map<number, number>> {
  const limited = rows.filter((r) => r.max_uses_per_card !== null).map((r) => r.id);
  if (cardId === null || limited.length === 0) return new Map();
  const counted = await db
    .selectFrom("promo_code_uses as u")
    .innerJoin("purchases as p", "p.id", "u.purchase_id")
    .select(["u.promo_code_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("u.card_id", "=", cardId)
    .where("u.promo_code_id", "in", limited)
    .where("u.state", "in", LIVE)
    .where((eb) => eb.or([eb("p.partner_id", "<>", partnerId), eb("p.external_id", "<>", externalId)]))
    .groupBy("u.promo_code_id")
    .execute();
  return new Map(counted.map((c) => [c.promo_code_id, Number(c.n)]));
}

export interface PromoOutcome {
  promoCodes: { applied: string[]; unknown: string[]; refused?: RefusedCode[] };
  /** The engine's messages with promo code messages told in this module's words. */
  messages: CashierMessage[];
}

/**
 * What the receipt says about codes: the presented codes the engine applied, the unknown ones, the
 * refused ones with why. A known code no rule applied is "not applicable", not "unknown".
 */
export function promoOutcomeOf(
  plan: PromoPlan,
  evaluation: { appliedPromoCodes: string[]; unknownPromoCodes: string[]; messages: CashierMessage[] },
): PromoOutcome {
  if (plan.byKey.size === 0 && plan.refused.length === 0) {
    return {
      promoCodes: { applied: evaluation.appliedPromoCodes, unknown: evaluation.unknownPromoCodes },
      messages: evaluation.messages,
    };
  }
  const applied = new Set(evaluation.appliedPromoCodes);
  const refused = [...plan.refused];
  const unknown: string[] = [];
  const messages = evaluation.messages.filter((m) => m.code !== "PROMO_CODE_UNKNOWN");
  for (const key of evaluation.unknownPromoCodes) {
    const known = plan.byKey.get(key);
    if (!known) {
      unknown.push(key);
      messages.push({ code: "PROMO_CODE_UNKNOWN", text: promoCodeMessageRu(key, "UNKNOWN") });
    }
  }
  for (const [key, code] of plan.byKey) {
    if (applied.has(key)) continue;
    refused.push({
      code: code.code,
      reason: "NOT_APPLICABLE",
      message: promoCodeMessageRu(code.code, "NOT_APPLICABLE"),
    });
  }
  for (const r of refused) messages.push({ code: `PROMO_CODE_${r.reason}`, text: r.message });
  return {
    promoCodes: {
      applied: evaluation.appliedPromoCodes.map((k) => plan.byKey.get(k)?.code ?? k),
      unknown,
      ...(refused.length > 0 ? { refused } : {}),
    },
    messages,
  };
}

export interface ReserveRequest {
  purchaseId: number;
  cardId: number | null;
  expiresAt: number;
  now: number;
}

/**
 * Makes the purchase's reservations what the engine applied: keeps those still applied (their expiry
 * follows the purchase), releases the others, reserves the new ones. Throws PromoCodeTaken when a code's
 * limit was reached meanwhile (the caller's transaction rolls back).
 */
export async function reservePromoCodes(
  trx: Trx,
  plan: PromoPlan,
  appliedKeys: readonly string[],
  request: ReserveRequest,
): Promise<void> {
  const wanted = new Map<number, PlannedCode>();
  for (const key of appliedKeys) {
    const code = plan.byKey.get(key);
    if (code) wanted.set(code.id, code);
  }
  const live = await trx
    .selectFrom("promo_code_uses")
    .select(["id", "promo_code_id"])
    .where("purchase_id", "=", request.purchaseId)
    .where("state", "=", "reserved")
    .execute();
  if (live.length === 0 && wanted.size === 0) return;
  const kept = new Set<number>();
  for (const use of live.sort((a, b) => a.promo_code_id - b.promo_code_id)) {
    if (wanted.has(use.promo_code_id)) {
      kept.add(use.promo_code_id);
      await trx
        .updateTable("promo_code_uses")
        .set({ expires_at: request.expiresAt, card_id: request.cardId, updated_at: request.now })
        .where("id", "=", use.id)
        .execute();
    } else {
      await resolveUse(trx, use.id, use.promo_code_id, "reserved", "released", request.now);
    }
  }
  const fresh = [...wanted.values()].filter((c) => !kept.has(c.id)).sort((a, b) => a.id - b.id);
  for (const code of fresh) {
    const taken = await trx
      .updateTable("promo_codes")
      .set((eb) => ({ uses_reserved: eb("uses_reserved", "+", 1), updated_at: request.now }))
      .where("id", "=", code.id)
      .where((eb) =>
        eb.or([
          eb("max_uses", "is", null),
          eb(eb("uses_reserved", "+", eb.ref("uses_consumed")), "<", eb.ref("max_uses")),
        ]),
      )
      .returning(["max_uses_per_card"])
      .executeTakeFirst();
    if (!taken) throw new PromoCodeTaken(code.code, "EXHAUSTED");
    if (taken.max_uses_per_card !== null && request.cardId !== null) {
      // The code row is locked now: uses of this card committed by others are visible to this count.
      const byCard = await trx
        .selectFrom("promo_code_uses")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("promo_code_id", "=", code.id)
        .where("card_id", "=", request.cardId)
        .where("state", "in", LIVE)
        .where("purchase_id", "<>", request.purchaseId)
        .executeTakeFirstOrThrow();
      if (Number(byCard.n) >= taken.max_uses_per_card) throw new PromoCodeTaken(code.code, "USED_BY_CARD");
    }
    await trx
      .insertInto("promo_code_uses")
      .values({
        promo_code_id: code.id,
        purchase_id: request.purchaseId,
        card_id: request.cardId,
        state: "reserved",
        expires_at: request.expiresAt,
        created_at: request.now,
        updated_at: request.now,
      })
      .execute();
  }
}

async function resolveUse(
  trx: Trx,
  useId: number,
  codeId: number,
  from: "reserved" | "consumed",
  to: "consumed" | "released",
  now: number,
): Promise<void> {
  await trx
    .updateTable("promo_code_uses")
    .set({ state: to, updated_at: now })
    .where("id", "=", useId)
    .execute();
  await trx
    .updateTable("promo_codes")
    .set((eb) => ({
      ...(from === "reserved"
        ? { uses_reserved: eb("uses_reserved", "-", 1) }
        : { uses_consumed: eb("uses_consumed", "-", 1) }),
      ...(to === "consumed" ? { uses_consumed: eb("uses_consumed", "+", 1) } : {}),
      updated_at: now,
    }))
    .where("id", "=", codeId)
    .execute();
}

export interface ConsumeRequest {
  purchaseId: number;
  cardId: number | null;
  /** The codes the stored receipt applied (a late confirm re-takes them when the reservation lapsed). */
  appliedCodes: readonly string[];
  partnerId: number;
  programId: number | null;
  now: number;
}

/**
 * Confirm: the purchase's reservations become uses, exactly once (a replayed confirm never gets here; a
 * consumed use is not reserved any more). A late confirm whose reservations lapsed with the purchase takes
 * the codes again under the same limits; returns the codes it could not take (the caller hangs the
 * purchase rather than give a discount beyond a code's limit).
 */
export async function consumePromoCodes(trx: Trx, request: ConsumeRequest): Promise<string[]> {
  const uses = await trx
    .selectFrom("promo_code_uses as u")
    .innerJoin("promo_codes as c", "c.id", "u.promo_code_id")
    .select(["u.id", "u.promo_code_id", "u.state", "c.code"])
    .where("u.purchase_id", "=", request.purchaseId)
    .where("u.state", "in", LIVE)
    .orderBy("u.promo_code_id")
    .execute();
  for (const use of uses) {
    if (use.state === "reserved")
      await resolveUse(trx, use.id, use.promo_code_id, "reserved", "consumed", request.now);
  }
  const held = new Set(uses.map((u) => u.code));
  const lapsed = request.appliedCodes.map(normalizePromoCode).filter((c) => !held.has(c));
  if (lapsed.length === 0) return [];
  const rows = await trx
    .selectFrom("promo_codes")
    .select(["id", "code", "program_id"])
    .where("partner_id", "=", request.partnerId)
    .where("code", "in", lapsed)
    .orderBy("id")
    .execute();
  const missing: string[] = [];
  for (const code of lapsed) {
    const row = rows.find((r) => r.code === code && r.program_id === request.programId);
    if (!row) continue;
    const plan: PromoPlan = {
      engineCodes: [code],
      byKey: new Map([[code, { id: row.id, code, key: code }]]),
      refused: [],
    };
    try {
      await reservePromoCodes(trx, plan, [code], {
        purchaseId: request.purchaseId,
        cardId: request.cardId,
        expiresAt: request.now,
        now: request.now,
      });
    } catch (error) {
      if (!(error instanceof PromoCodeTaken)) throw error;
      missing.push(code);
      continue;
    }
    const use = await trx
      .selectFrom("promo_code_uses")
      .select("id")
      .where("purchase_id", "=", request.purchaseId)
      .where("promo_code_id", "=", row.id)
      .where("state", "=", "reserved")
      .executeTakeFirstOrThrow();
    await resolveUse(trx, use.id, row.id, "reserved", "consumed", request.now);
  }
  return missing;
}

/**
 * Cancel, expiry, a hanging confirm: the purchase's reservations are released; with `consumed: true` (a
 * cancel after confirm) its consumed uses are given back too. Returns how many uses were released.
 */
export async function releasePromoCodes(
  trx: Trx,
  purchaseId: number,
  now: number,
  options: { consumed?: boolean } = {},
): Promise<number> {
  const uses = await trx
    .selectFrom("promo_code_uses")
    .select(["id", "promo_code_id", "state"])
    .where("purchase_id", "=", purchaseId)
    .where("state", "in", options.consumed ? LIVE : ["reserved"])
    .orderBy("promo_code_id")
    .execute();
  for (const use of uses) {
    await resolveUse(trx, use.id, use.promo_code_id, use.state as "reserved" | "consumed", "released", now);
  }
  return uses.length;
}

/** Runs one calculate attempt after another while concurrent purchases take codes it planned to use. */
export async function withPromoCodeRetry<T>(
  attempt: (refused: ReadonlyMap<string, "EXHAUSTED" | "USED_BY_CARD">) => Promise<T>,
): Promise<T> {
  const refused = new Map<string, "EXHAUSTED" | "USED_BY_CARD">();
  for (;;) {
    try {
      return await attempt(refused);
    } catch (error) {
      // Each retry refuses one more code, so this ends after at most as many retries as codes presented.
      if (!(error instanceof PromoCodeTaken) || refused.has(error.code)) throw error;
      refused.set(error.code, error.reason);
    }
  }
}
