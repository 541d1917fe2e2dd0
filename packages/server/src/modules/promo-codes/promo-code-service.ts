/**
 * Promo codes for the cabinet and the till: single codes and generated batches of a program, lists with
 * keyset pages, a code with its uses, disabling, the CSV of a batch (streamed), the POS check, and the
 * personal codes of a card. Every change is one transaction with its audit entry; a batch is one entry with
 * its size, however many codes it made.
 */
import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import {
  judgePromoCode,
  normalizePromoCode,
  type PromoCodeVerdict,
  promoCodeMessageRu,
  randomCodes,
} from "../../core/promo-codes.js";
import { type Database, type Executor, isUniqueViolation, type Trx } from "../../infra/db/database.js";
import { keysetPage, keysetQuery, type Page, type PageQuery, type SortSpec } from "../../infra/db/keyset.js";
import type { Row } from "../../infra/db/schema.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import { type Actor, recordAudit } from "../audit/index.js";
import { findCard } from "../cards/index.js";
import { findProgramId } from "../programs/index.js";

/** Rows per INSERT of a batch: far below both databases' limits on bound parameters. */
const CHUNK = 1_000;
export const MAX_BATCH_SIZE = 100_000;
const USES_SHOWN = 100;

export interface PartnerRef {
  id: number;
  code: string;
}

export interface CodeTerms {
  maxUses?: number | null;
  maxUsesPerCard?: number | null;
  validFrom?: string | null;
  validTo?: string | null;
  campaign?: string | null;
  description?: string | null;
}

export interface CodeInput extends CodeTerms {
  code: string;
  /** A personal code: only this card may use it. */
  cardNumber?: string | null;
}

export interface BatchInput extends CodeTerms {
  code: string;
  size: number;
  prefix?: string;
  length?: number;
}

export interface ListFilter {
  q?: string;
  batch?: string;
  campaign?: string;
  state?: "active" | "disabled" | "exhausted";
  cardNumber?: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function timeOf(value: string | null | undefined, field: string): number | null {
  if (value === undefined || value === null) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new DomainError("VALIDATION_FAILED", `${field} is not a date-time`, { field, reason: "date-time" });
  }
  return ms;
}

interface Terms {
  max_uses: number | null;
  max_uses_per_card: number | null;
  valid_from: number | null;
  valid_to: number | null;
  campaign: string | null;
  description: string | null;
}

function termsOf(input: CodeTerms, defaultMaxUses: number | null): Terms {
  const validFrom = timeOf(input.validFrom, "validFrom");
  const validTo = timeOf(input.validTo, "validTo");
  if (validFrom !== null && validTo !== null && validTo <= validFrom) {
    throw new DomainError("VALIDATION_FAILED", "validTo must be after validFrom", {
      field: "validTo",
      reason: "after validFrom",
    });
  }
  const maxUses = input.maxUses === undefined ? defaultMaxUses : input.maxUses;
  const perCard = input.maxUsesPerCard ?? null;
  if (maxUses !== null && perCard !== null && perCard > maxUses) {
    throw new DomainError("VALIDATION_FAILED", "maxUsesPerCard cannot exceed maxUses", {
      field: "maxUsesPerCard",
      reason: "at most maxUses",
    });
  }
  return {
    max_uses: maxUses,
    max_uses_per_card: perCard,
    valid_from: validFrom,
    valid_to: validTo,
    campaign: input.campaign ? normalizePromoCode(input.campaign) : null,
    description: input.description ?? null,
  };
}

export function codeView(
  row: Row<"promo_codes">,
  extra: { batchCode: string | null; cardNumber: string | null },
) {
  const used = row.uses_reserved + row.uses_consumed;
  return {
    code: row.code,
    batchCode: extra.batchCode,
    campaign: row.campaign,
    maxUses: row.max_uses,
    maxUsesPerCard: row.max_uses_per_card,
    validFrom: iso(row.valid_from),
    validTo: iso(row.valid_to),
    cardNumber: extra.cardNumber,
    description: row.description,
    disabled: row.disabled_at !== null,
    disabledAt: iso(row.disabled_at),
    usesReserved: row.uses_reserved,
    usesConsumed: row.uses_consumed,
    usesLeft: row.max_uses === null ? null : Math.max(0, row.max_uses - used),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
export type PromoCodeView = ReturnType<typeof codeView>;

function batchView(row: Row<"promo_code_batches">) {
  return {
    code: row.code,
    size: row.size,
    prefix: row.prefix,
    length: row.length,
    campaign: row.campaign,
    maxUses: row.max_uses,
    maxUsesPerCard: row.max_uses_per_card,
    validFrom: iso(row.valid_from),
    validTo: iso(row.valid_to),
    description: row.description,
    generatedInMs: row.generated_ms,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
export type PromoBatchView = ReturnType<typeof batchView>;

const SORTS: SortSpec<Row<"promo_codes">> = {
  code: { column: "promo_codes.code", value: (r) => r.code },
  createdAt: { column: "promo_codes.created_at", value: (r) => r.created_at },
};

export interface CheckRequest {
  code: string;
  cardNumber?: string;
  timeZone?: string;
}

export interface CheckAnswer {
  code: string;
  valid: boolean;
  reason: PromoCodeVerdict;
  message: string;
  validFrom: string | null;
  validTo: string | null;
  usesLeft: number | null;
  personal: boolean;
}

export interface PersonalCode {
  code: string;
  campaign: string | null;
  description: string | null;
  validFrom: string | null;
  validTo: string | null;
  usesLeft: number | null;
}

export class PromoCodeService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  private async programId(db: Executor, partner: PartnerRef, programCode: string): Promise<number> {
    const id = await findProgramId(db, partner.id, programCode);
    if (id === null) {
      throw new DomainError("PROGRAM_NOT_FOUND", `${partner.code} owns no program ${programCode}`, {
        field: "programCode",
      });
    }
    return id;
  }

  private async audited<T>(
    actor: Actor,
    partner: PartnerRef,
    work: (
      trx: Trx,
      now: number,
    ) => Promise<{
      result: T;
      entityType?: string;
      entityId: string;
      action: string;
      after: unknown;
      before?: unknown;
    }>,
    taken?: { code: "PROMO_CODE_EXISTS" | "PROMO_BATCH_EXISTS"; field: string },
  ): Promise<T> {
    try {
      return await this.database.transaction(async (trx) => {
        const now = this.clock.now();
        const done = await work(trx, now);
        if (JSON.stringify(done.before ?? null) !== JSON.stringify(done.after)) {
          await recordAudit(
            trx,
            actor,
            {
              partnerId: partner.id,
              entityType: done.entityType ?? "promo_code",
              entityId: done.entityId,
              action: done.action,
              before: done.before ?? null,
              after: done.after,
            },
            now,
          );
        }
        return done.result;
      });
    } catch (error) {
      if (taken && isUniqueViolation(error)) {
        throw new DomainError(taken.code, `${taken.field} is taken in this program`, { field: taken.field });
      }
      throw error;
    }
  }

  async create(
    actor: Actor,
    partner: PartnerRef,
    programCode: string,
    input: CodeInput,
  ): Promise<PromoCodeView> {
    const code = normalizePromoCode(input.code);
    if (code === "") {
      throw new DomainError("VALIDATION_FAILED", "code is empty", { field: "code", reason: "not empty" });
    }
    const terms = termsOf(input, null);
    return this.audited(
      actor,
      partner,
      async (trx, now) => {
        const programId = await this.programId(trx, partner, programCode);
        let cardId: number | null = null;
        if (input.cardNumber) {
          const card = await findCard(trx, partner.id, input.cardNumber);
          if (!card || card.programId !== programId) {
            throw new DomainError("CARD_NOT_FOUND", "no such card in this program", { field: "cardNumber" });
          }
          cardId = card.id;
        }
        const row = await trx
          .insertInto("promo_codes")
          .values({
            partner_id: partner.id,
            program_id: programId,
            batch_id: null,
            code,
            card_id: cardId,
            disabled_at: null,
            created_at: now,
            updated_at: now,
            ...terms,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const view = codeView(row, { batchCode: null, cardNumber: input.cardNumber ?? null });
        return { result: view, entityId: `${programCode}/${code}`, action: "create", after: view };
      },
      { code: "PROMO_CODE_EXISTS", field: "code" },
    );
  }

  /**
   * Generates `size` unique random codes in one transaction, in chunks; a collision with an existing code
   * (unique index) is simply drawn again. A repeat with the same batch code and body answers the batch
   * made the first time; with another body it is PROMO_BATCH_EXISTS.
   */
  async createBatch(
    actor: Actor,
    partner: PartnerRef,
    programCode: string,
    input: BatchInput,
  ): Promise<PromoBatchView & { replayed: boolean }> {
    const terms = termsOf(input, 1);
    const prefix = normalizePromoCode(input.prefix ?? "");
    const length = input.length ?? 10;
    const batchCode = input.code;
    const hash = createHash("sha256")
      .update(JSON.stringify([input.size, prefix, length, terms]))
      .digest("base64url");
    const existing = await this.findBatch(this.database.db, partner, programCode, batchCode, false);
    if (existing) return this.replayBatch(existing, hash);
    try {
      return await this.audited(
        actor,
        partner,
        async (trx, now) => {
          const programId = await this.programId(trx, partner, programCode);
          const started = performance.now();
          const batch = await trx
            .insertInto("promo_code_batches")
            .values({
              partner_id: partner.id,
              program_id: programId,
              code: batchCode,
              size: input.size,
              prefix,
              length,
              request_hash: hash,
              generated_ms: 0,
              created_at: now,
              ...terms,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          await insertRandomCodes(
            trx,
            { partnerId: partner.id, programId, batchId: batch.id, now, terms },
            input.size,
            length,
            prefix,
          );
          const generatedMs = Math.round(performance.now() - started);
          await trx
            .updateTable("promo_code_batches")
            .set({ generated_ms: generatedMs })
            .where("id", "=", batch.id)
            .execute();
          const view = batchView({ ...batch, generated_ms: generatedMs });
          return {
            result: { ...view, replayed: false },
            entityType: "promo_code_batch",
            entityId: `${programCode}/${batchCode}`,
            action: "create-batch",
            after: view,
          };
        },
        { code: "PROMO_BATCH_EXISTS", field: "code" },
      );
    } catch (error) {
      // A concurrent identical request made it first: answer its batch.
      if (error instanceof DomainError && error.code === "PROMO_BATCH_EXISTS") {
        const made = await this.findBatch(this.database.db, partner, programCode, batchCode, false);
        if (made) return this.replayBatch(made, hash);
      }
      throw error;
    }
  }

  private replayBatch(row: Row<"promo_code_batches">, hash: string): PromoBatchView & { replayed: boolean } {
    if (row.request_hash !== hash) {
      throw new DomainError("PROMO_BATCH_EXISTS", "a batch with this code was made with other terms", {
        field: "code",
      });
    }
    return { ...batchView(row), replayed: true };
  }

  private async findBatch(
    db: Executor,
    partner: PartnerRef,
    programCode: string,
    batchCode: string,
    required: boolean,
  ): Promise<Row<"promo_code_batches"> | null> {
    const programId = await this.programId(db, partner, programCode);
    const row = await db
      .selectFrom("promo_code_batches")
      .selectAll()
      .where("program_id", "=", programId)
      .where("code", "=", batchCode)
      .executeTakeFirst();
    if (!row && required) {
      throw new DomainError("PROMO_BATCH_NOT_FOUND", `no batch ${batchCode}`, { field: "batchCode" });
    }
    return row ?? null;
  }

  async getBatch(partner: PartnerRef, programCode: string, batchCode: string): Promise<PromoBatchView> {
    return batchView((await this.findBatch(this.database.db, partner, programCode, batchCode, true))!);
  }

  async listBatches(partner: PartnerRef, programCode: string): Promise<{ items: PromoBatchView[] }> {
    const programId = await this.programId(this.database.db, partner, programCode);
    const rows = await this.database.db
      .selectFrom("promo_code_batches")
      .selectAll()
      .where("program_id", "=", programId)
      .orderBy("id", "desc")
      .limit(500)
      .execute();
    return { items: rows.map(batchView) };
  }

  /**
   * The CSV of a batch (code, state, uses), read in keyset pages so a 100k batch streams in constant
   * memory; the first line is the header.
   */
  async *batchCsv(partner: PartnerRef, programCode: string, batchCode: string): AsyncGenerator<string> {
    const batch = (await this.findBatch(this.database.db, partner, programCode, batchCode, true))!;
    yield "code,valid_from,valid_to,max_uses,uses_consumed,disabled\n";
    let after = 0;
    for (;;) {
      const rows = await this.database.db
        .selectFrom("promo_codes")
        .select(["id", "code", "valid_from", "valid_to", "max_uses", "uses_consumed", "disabled_at"])
        .where("batch_id", "=", batch.id)
        .where("id", ">", after)
        .orderBy("id")
        .limit(5_000)
        .execute();
      if (rows.length === 0) return;
      let chunk = "";
      for (const r of rows) {
        chunk += `${r.code},${iso(r.valid_from) ?? ""},${iso(r.valid_to) ?? ""},${r.max_uses ?? ""},${r.uses_consumed},${r.disabled_at === null ? 0 : 1}\n`;
      }
      yield chunk;
      after = rows.at(-1)!.id;
    }
  }

  async list(
    partner: PartnerRef,
    programCode: string,
    filter: ListFilter,
    page: PageQuery,
  ): Promise<Page<PromoCodeView>> {
    const db = this.database.db;
    const programId = await this.programId(db, partner, programCode);
    let query = db
      .selectFrom("promo_codes")
      .leftJoin("promo_code_batches as b", "b.id", "promo_codes.batch_id")
      .leftJoin("cards as c", "c.id", "promo_codes.card_id")
      .selectAll("promo_codes")
      .select(["b.code as batch_code", "c.number as card_number"])
      .where("promo_codes.program_id", "=", programId);
    if (filter.q) {
      const q = normalizePromoCode(filter.q).replace(/[\\%_]/g, (ch) => `\\${ch}`);
      // Codes are stored normalized, so a prefix match on the unique index finds them.
      query = query.where(sql<boolean>`${sql.ref("promo_codes.code")} like ${`${q}%`} escape '\\'`);
    }
    if (filter.batch) query = query.where("b.code", "=", filter.batch);
    if (filter.campaign)
      query = query.where("promo_codes.campaign", "=", normalizePromoCode(filter.campaign));
    if (filter.cardNumber) query = query.where("c.number", "=", filter.cardNumber);
    if (filter.state === "disabled") query = query.where("promo_codes.disabled_at", "is not", null);
    if (filter.state === "active" || filter.state === "exhausted") {
      query = query.where("promo_codes.disabled_at", "is", null);
      query = query.where((eb) => {
        const exhausted = eb.and([
          eb("promo_codes.max_uses", "is not", null),
          eb(
            eb("promo_codes.uses_reserved", "+", eb.ref("promo_codes.uses_consumed")),
            ">=",
            eb.ref("promo_codes.max_uses"),
          ),
        ]);
        return filter.state === "exhausted" ? exhausted : eb.not(exhausted);
      });
    }
    const rows = await keysetQuery(query, SORTS, "promo_codes.id", page).execute();
    return keysetPage(
      rows,
      SORTS,
      (r) => r.id,
      page,
      (r) => codeView(r, { batchCode: r.batch_code ?? null, cardNumber: r.card_number ?? null }),
    );
  }

  private async codeRow(db: Executor, partner: PartnerRef, programCode: string, code: string) {
    const programId = await this.programId(db, partner, programCode);
    const row = await db
      .selectFrom("promo_codes")
      .leftJoin("promo_code_batches as b", "b.id", "promo_codes.batch_id")
      .leftJoin("cards as c", "c.id", "promo_codes.card_id")
      .selectAll("promo_codes")
      .select(["b.code as batch_code", "c.number as card_number"])
      .where("promo_codes.program_id", "=", programId)
      .where("promo_codes.code", "=", normalizePromoCode(code))
      .executeTakeFirst();
    if (!row) throw new DomainError("PROMO_CODE_NOT_FOUND", `no promo code ${code}`, { field: "promoCode" });
    return row;
  }

  /** A code with its latest uses (purchase, card, state, when). */
  async get(partner: PartnerRef, programCode: string, code: string) {
    const db = this.database.db;
    const row = await this.codeRow(db, partner, programCode, code);
    const uses = await db
      .selectFrom("promo_code_uses as u")
      .innerJoin("purchases as p", "p.id", "u.purchase_id")
      .leftJoin("cards as c", "c.id", "u.card_id")
      .select(["p.external_id", "c.number", "u.state", "u.created_at", "u.updated_at"])
      .where("u.promo_code_id", "=", row.id)
      .orderBy("u.id", "desc")
      .limit(USES_SHOWN)
      .execute();
    return {
      ...codeView(row, { batchCode: row.batch_code ?? null, cardNumber: row.card_number ?? null }),
      uses: uses.map((u) => ({
        purchaseId: u.external_id,
        cardNumber: u.number ?? null,
        state: u.state,
        at: new Date(u.created_at).toISOString(),
        updatedAt: new Date(u.updated_at).toISOString(),
      })),
    };
  }

  /** Disables a code: reservations already made stand (the till has priced them); no new ones. */
  async disable(
    actor: Actor,
    partner: PartnerRef,
    programCode: string,
    code: string,
  ): Promise<PromoCodeView> {
    return this.audited(actor, partner, async (trx, now) => {
      const row = await this.codeRow(trx, partner, programCode, code);
      const extra = { batchCode: row.batch_code ?? null, cardNumber: row.card_number ?? null };
      const before = codeView(row, extra);
      if (row.disabled_at !== null) {
        return {
          result: before,
          entityId: `${programCode}/${row.code}`,
          action: "disable",
          before,
          after: before,
        };
      }
      const updated = await trx
        .updateTable("promo_codes")
        .set({ disabled_at: now, updated_at: now })
        .where("id", "=", row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const after = codeView(updated, extra);
      return { result: after, entityId: `${programCode}/${row.code}`, action: "disable", before, after };
    });
  }

  /** The POS check: may this card use this code now, and if not, why (with the cashier's message). */
  async check(partnerId: number, request: CheckRequest): Promise<CheckAnswer & { programId: number | null }> {
    const db = this.database.db;
    const code = normalizePromoCode(request.code);
    const now = this.clock.now();
    let cardId: number | null = null;
    let programId: number | null = null;
    if (request.cardNumber !== undefined) {
      const card = await findCard(db, partnerId, request.cardNumber);
      if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "cardNumber" });
      cardId = card.id;
      programId = card.programId;
    }
    const rows = await db
      .selectFrom("promo_codes")
      .selectAll()
      .where("partner_id", "=", partnerId)
      .where("code", "=", code)
      .execute();
    const row = rows.find((r) => r.program_id === programId) ?? rows[0] ?? null;
    let usesByCard = 0;
    if (row && cardId !== null && row.max_uses_per_card !== null) {
      const n = await db
        .selectFrom("promo_code_uses")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("promo_code_id", "=", row.id)
        .where("card_id", "=", cardId)
        .where("state", "in", ["reserved", "consumed"])
        .executeTakeFirstOrThrow();
      usesByCard = Number(n.n);
    }
    const verdict = judgePromoCode(
      row && {
        programId: row.program_id,
        maxUses: row.max_uses,
        maxUsesPerCard: row.max_uses_per_card,
        validFrom: row.valid_from,
        validTo: row.valid_to,
        cardId: row.card_id,
        disabled: row.disabled_at !== null,
        usesByOthers: row.uses_reserved + row.uses_consumed,
        usesByCard,
      },
      { now, programId, cardId },
    );
    const dates = {
      validFrom: row?.valid_from ?? null,
      validTo: row?.valid_to ?? null,
      ...(request.timeZone ? { timeZone: request.timeZone } : {}),
    };
    return {
      code,
      valid: verdict === "VALID",
      reason: verdict,
      message: promoCodeMessageRu(code, verdict, dates),
      validFrom: iso(dates.validFrom),
      validTo: iso(dates.validTo),
      usesLeft:
        row?.max_uses == null ? null : Math.max(0, row.max_uses - row.uses_reserved - row.uses_consumed),
      personal: row?.card_id != null,
      programId: row?.program_id ?? null,
    };
  }

  /** The card's personal codes it can still use (the coupons a till shows at the card step). */
  async personalCodes(cardId: number): Promise<PersonalCode[]> {
    return personalCodesOf(this.database.db, cardId, this.clock.now());
  }
}

export async function personalCodesOf(db: Executor, cardId: number, now: number): Promise<PersonalCode[]> {
  const rows = await db
    .selectFrom("promo_codes")
    .selectAll()
    .where("card_id", "=", cardId)
    .where("disabled_at", "is", null)
    .where((eb) => eb.or([eb("valid_from", "is", null), eb("valid_from", "<=", now)]))
    .where((eb) => eb.or([eb("valid_to", "is", null), eb("valid_to", ">", now)]))
    .where((eb) =>
      eb.or([
        eb("max_uses", "is", null),
        eb(eb("uses_reserved", "+", eb.ref("uses_consumed")), "<", eb.ref("max_uses")),
      ]),
    )
    .orderBy("id")
    .limit(50)
    .execute();
  return rows.map((r) => ({
    code: r.code,
    campaign: r.campaign,
    description: r.description,
    validFrom: iso(r.valid_from),
    validTo: iso(r.valid_to),
    usesLeft: r.max_uses === null ? null : r.max_uses - r.uses_reserved - r.uses_consumed,
  }));
}

interface BatchContext {
  partnerId: number;
  programId: number;
  batchId: number;
  now: number;
  terms: Terms;
}

/** Inserts `size` new random codes, drawing again for the few that collide with existing ones. */
async function insertRandomCodes(
  trx: Trx,
  ctx: BatchContext,
  size: number,
  length: number,
  prefix: string,
): Promise<void> {
  let missing = size;
  for (let round = 0; missing > 0; round++) {
    if (round > 20) {
      throw new DomainError("PROMO_CODE_SPACE_EXHAUSTED", "too few free codes of this length and prefix", {
        field: "length",
      });
    }
    const fresh = [...new Set(randomCodes(missing, length, prefix, (n) => randomBytes(n)))];
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const chunk = fresh.slice(i, i + CHUNK);
      const inserted = await trx
        .insertInto("promo_codes")
        .values(
          chunk.map((code) => ({
            partner_id: ctx.partnerId,
            program_id: ctx.programId,
            batch_id: ctx.batchId,
            code,
            card_id: null,
            disabled_at: null,
            created_at: ctx.now,
            updated_at: ctx.now,
            ...ctx.terms,
          })),
        )
        .onConflict((oc) => oc.columns(["program_id", "code"]).doNothing())
        .returning("id")
        .execute();
      missing -= inserted.length;
    }
  }
}

/**
 * Issues a personal code to a card (the `issue_promo_code` effect at confirm, or the cabinet): a random
 * code of the campaign, single use, valid for `validDays` when given. Runs in the caller's transaction.
 */
export async function issuePersonalCode(
  trx: Trx,
  request: {
    partnerId: number;
    programId: number;
    cardId: number;
    campaign: string;
    validDays: number | null;
    now: number;
  },
): Promise<{ code: string; validTo: number | null }> {
  const validTo = request.validDays === null ? null : request.now + request.validDays * 86_400_000;
  for (;;) {
    const [code] = randomCodes(1, 10, "", (n) => randomBytes(n));
    const row = await trx
      .insertInto("promo_codes")
      .values({
        partner_id: request.partnerId,
        program_id: request.programId,
        batch_id: null,
        code: code!,
        campaign: normalizePromoCode(request.campaign),
        max_uses: 1,
        max_uses_per_card: null,
        valid_from: request.now,
        valid_to: validTo,
        card_id: request.cardId,
        description: null,
        disabled_at: null,
        created_at: request.now,
        updated_at: request.now,
      })
      .onConflict((oc) => oc.columns(["program_id", "code"]).doNothing())
      .returning("code")
      .executeTakeFirst();
    if (row) return { code: row.code, validTo };
  }
}
