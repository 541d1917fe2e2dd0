/**
 * Discount programs as the cabinet and the PharmApi facade use them: create, change (each change a new
 * version), read, list and versions, every change with its audit entry in the same transaction; the
 * programs a partner's stores may use; cards of a program's ranges created on first use.
 */
import {
  type DiscountProgramBody,
  type DiscountProgramCreate,
  type RuleIssue,
  validateDiscountProgram,
} from "@kopilka/contract";
import { judgeCardNumber } from "../../core/card-ranges.js";
import { type Database, type Executor, isUniqueViolation, type Trx } from "../../infra/db/database.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import { type Actor, recordAudit } from "../audit/index.js";
import { type Card, committedCard, ensureCard } from "../cards/index.js";
import {
  bumpProgram,
  createProgram,
  findProgram,
  type ProgramCatalog,
  programFromRow,
  programsVisibleTo,
  updateProgramTerms,
} from "../programs/index.js";
import { type CompiledDiscountProgram, compiledDiscountProgram } from "./compiled.js";
import { currentDefinition, definitionVersions, partsOf, saveDefinition } from "./definitions.js";

export interface PartnerRef {
  id: number;
  code: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function invalid(issues: RuleIssue[]): DomainError {
  const list = issues.map((i) => ({ field: i.path || "body", code: i.code, message: i.message }));
  return new DomainError("DISCOUNT_PROGRAM_INVALID", list.map((i) => `${i.field}: ${i.message}`).join("; "), {
    field: list[0]?.field ?? "body",
    issues: list,
  });
}

/** Every problem of a program as sent, field by field (the engine's validator plus the card ranges). */
export function discountProgramIssues(code: string, body: DiscountProgramBody): RuleIssue[] {
  const { definition, cardRanges } = partsOf(body);
  const issues = validateDiscountProgram({ ...definition, code, version: 1 });
  cardRanges.forEach((range, i) => {
    range.lengths.forEach((length, k) => {
      if (length <= range.prefix.length)
        issues.push({
          path: `cardRanges[${i}].lengths[${k}]`,
          code: "range",
          message: "must be longer than the prefix",
        });
    });
  });
  return issues;
}

/** A card number's standing in the discount programs a partner may use. */
export type CardLookup = { kind: "card"; card: Card } | { kind: "inactive" } | { kind: "unknown" };

export class DiscountProgramService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly catalog: ProgramCatalog,
  ) {}

  // ---- the cabinet ------------------------------------------------------------------------------

  async create(actor: Actor, partner: PartnerRef, body: DiscountProgramCreate) {
    const { code, ...rest } = body;
    const issues = discountProgramIssues(code, rest);
    if (issues.length > 0) throw invalid(issues);
    const parts = partsOf(rest);
    return this.change(actor, async (trx, now) => {
      if (await findProgram(trx, partner.id, code))
        throw new DomainError("PROGRAM_EXISTS", `program ${code} exists`, { field: "code" });
      const programId = await createProgram(
        trx,
        partner.id,
        {
          code,
          name: rest.name,
          kind: "discount",
          active: rest.active ?? true,
          holdDays: 0,
          maxPointsPaymentShareBp: 0,
          cancelWindowMinutes: parts.settings.confirmWindowMinutes,
          purchaseTtlSeconds: parts.settings.confirmWindowMinutes * 60,
        },
        now,
      );
      const version = await this.versionOf(trx, programId);
      await saveDefinition(trx, programId, version, parts, actor.userId, now);
      const after = await this.view(trx, partner, code);
      return { result: after, audit: { partnerId: partner.id, code, action: "create", before: null, after } };
    });
  }

  async update(actor: Actor, partner: PartnerRef, code: string, body: DiscountProgramBody) {
    const issues = discountProgramIssues(code, body);
    if (issues.length > 0) throw invalid(issues);
    const parts = partsOf(body);
    return this.change(actor, async (trx, now) => {
      const before = await this.view(trx, partner, code);
      const row = await this.owned(trx, partner, code);
      const program = programFromRow(row);
      const terms = {
        name: body.name,
        active: body.active ?? program.active,
        cancelWindowMinutes: parts.settings.confirmWindowMinutes,
        purchaseTtlSeconds: parts.settings.confirmWindowMinutes * 60,
      };
      const termsChange =
        terms.name !== program.name ||
        terms.active !== program.active ||
        terms.cancelWindowMinutes !== program.cancelWindowMinutes ||
        terms.purchaseTtlSeconds !== program.purchaseTtlSeconds;
      // One new program version per change: the terms' update bumps it, or the definition alone does.
      if (termsChange) await updateProgramTerms(trx, program.id, terms, now);
      else await bumpProgram(trx, program.id, now);
      await saveDefinition(trx, program.id, await this.versionOf(trx, program.id), parts, actor.userId, now);
      const after = await this.view(trx, partner, code);
      return { result: after, audit: { partnerId: partner.id, code, action: "update", before, after } };
    });
  }

  get(partner: PartnerRef, code: string) {
    return this.view(this.database.db, partner, code);
  }

  async list(partner: PartnerRef) {
    const visible = await programsVisibleTo(this.database.db, partner.id);
    const items = [];
    for (const v of visible)
      if (v.program.kind === "discount")
        items.push(await this.view(this.database.db, partner, v.program.code, v));
    return { items };
  }

  async versions(partner: PartnerRef, code: string) {
    const { program } = await this.visible(this.database.db, partner, code);
    const items = await definitionVersions(this.database.db, program.id);
    return {
      items: items.map((v) => ({ version: v.version, createdAt: iso(v.createdAt)!, userId: v.userId })),
    };
  }

  // ---- the sale ---------------------------------------------------------------------------------

  /** The active discount programs a partner may use (own and offered), compiled at their current versions. */
  async usablePrograms(partnerId: number): Promise<CompiledDiscountProgram[]> {
    // Every PharmApi call asks: the programs' ids and the programs themselves come from the catalog.
    const out: CompiledDiscountProgram[] = [];
    for (const id of await this.catalog.usableDiscountProgramIds(partnerId)) {
      const loaded = await this.catalog.get(id);
      if (!loaded) continue;
      const compiled = await compiledDiscountProgram(
        this.database,
        this.database.db,
        loaded.program,
        loaded.version,
      );
      if (compiled) out.push(compiled);
    }
    return out;
  }

  /**
   * The partner's card with this number; a number in an active range of a usable program becomes a card
   * of that program on first use (concurrent first uses create one). A number only in inactive parts of
   * ranges is `inactive`; anything else `unknown`.
   */
  async cardOnFirstUse(partnerId: number, number: string): Promise<CardLookup> {
    const existing = await committedCard(this.database, partnerId, number);
    if (existing) return { kind: "card", card: existing };
    let inactive = false;
    for (const program of await this.usablePrograms(partnerId)) {
      const verdict = judgeCardNumber(program.cardRanges, number);
      if (verdict === "active") {
        const card = await ensureCard(this.database, partnerId, program.programId, number, this.clock.now());
        return { kind: "card", card };
      }
      if (verdict === "inactive") inactive = true;
    }
    return inactive ? { kind: "inactive" } : { kind: "unknown" };
  }

  /** The compiled program a purchase was priced with (its recorded version). */
  async atVersion(programId: number, version: number, db: Executor = this.database.db) {
    const loaded = await this.catalog.get(programId, db);
    if (!loaded) return null;
    return compiledDiscountProgram(this.database, db, loaded.program, version);
  }

  // ---- internals --------------------------------------------------------------------------------

  private async versionOf(db: Executor, programId: number): Promise<number> {
    const row = await db
      .selectFrom("programs")
      .select("version")
      .where("id", "=", programId)
      .executeTakeFirstOrThrow();
    return row.version;
  }

  private async change<T>(
    actor: Actor,
    work: (
      trx: Trx,
      now: number,
    ) => Promise<{
      result: T;
      audit: { partnerId: number; code: string; action: string; before: unknown; after: unknown };
    }>,
  ): Promise<T> {
    try {
      const result = await this.database.transaction(async (trx) => {
        const now = this.clock.now();
        const { result, audit } = await work(trx, now);
        if (JSON.stringify(audit.before) !== JSON.stringify(audit.after))
          await recordAudit(
            trx,
            actor,
            {
              partnerId: audit.partnerId,
              entityType: "discount_program",
              entityId: audit.code,
              action: audit.action,
              before: audit.before,
              after: audit.after,
            },
            now,
          );
        return result;
      });
      this.catalog.invalidate();
      return result;
    } catch (error) {
      if (isUniqueViolation(error))
        throw new DomainError("PROGRAM_EXISTS", "a program with this code exists", { field: "code" });
      throw error;
    }
  }

  private async visible(db: Executor, partner: PartnerRef, code: string) {
    const own = await findProgram(db, partner.id, code);
    const found = own
      ? { program: programFromRow(own), active: own.active === 1, relation: "owner" as const }
      : (await programsVisibleTo(db, partner.id)).find(
          (v) => v.relation === "participant" && v.program.code === code,
        );
    if (!found)
      throw new DomainError("PROGRAM_NOT_FOUND", `${partner.code} has no program ${code}`, {
        field: "programCode",
      });
    if (found.program.kind !== "discount")
      throw new DomainError("NOT_A_DISCOUNT_PROGRAM", `${code} is a ${found.program.kind} program`, {
        field: "programCode",
      });
    return found;
  }

  private async owned(db: Executor, partner: PartnerRef, code: string) {
    const found = await this.visible(db, partner, code);
    if (found.relation !== "owner")
      throw new DomainError(
        "PROGRAM_NOT_OWNED",
        `${partner.code} participates in ${code} but does not own it`,
        {
          field: "programCode",
        },
      );
    const row = await findProgram(db, partner.id, code);
    if (!row) throw new Error(`program ${code} vanished`);
    return row;
  }

  private async view(
    db: Executor,
    partner: PartnerRef,
    code: string,
    known?: Awaited<ReturnType<DiscountProgramService["visible"]>>,
  ) {
    const { program } = known ?? (await this.visible(db, partner, code));
    const record = await currentDefinition(db, program.id);
    if (!record) throw new Error(`discount program ${code} has no definition`);
    const owner = await db
      .selectFrom("partners")
      .select("code")
      .where("id", "=", program.partnerId)
      .executeTakeFirstOrThrow();
    const d = record.definition;
    return {
      code: program.code,
      name: program.name,
      active: program.active,
      ownerPartnerCode: owner.code,
      version: program.version,
      validFrom: d.validFrom ?? null,
      validTo: d.validTo ?? null,
      partners: d.partners ?? null,
      stores: d.stores ?? null,
      priceCeiling: d.priceCeiling ?? null,
      items: d.items,
      limits: d.limits,
      cardRanges: record.cardRanges,
      confirmWindowMinutes: record.settings.confirmWindowMinutes,
      confirmAllTogether: record.settings.confirmAllTogether,
      registration: record.settings.registration,
      description: record.settings.description ?? null,
      updatedAt: iso(record.updatedAt)!,
    };
  }
}
