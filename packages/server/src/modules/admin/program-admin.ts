/**
 * The cabinet's commands over programs and their rules: terms, rules as versioned engine definitions,
 * enabling and disabling, versions and diffs, the condition and effect registries, simulate, and the
 * export and import of a whole program (the command line). Like `AdminService`, it writes no table
 * itself: each change goes through the programs module, in one transaction with its audit entry. A
 * participant of a program reads it; only the owner changes it (`PROGRAM_NOT_OWNED`).
 */
import {
  ANTI_FRAUD_CAPS,
  CONDITION_TYPES,
  EFFECT_TYPES,
  MESSAGE_PLACEHOLDERS,
  type RuleDefinition,
  type RuleIssue,
  RuleStacking,
  type TypeEntry,
} from "@kopilka/contract";
import { type Database, type Executor, isUniqueViolation, type Trx } from "../../infra/db/database.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import { type Actor, recordAudit } from "../audit/index.js";
import { getPartnerByCode } from "../partners/index.js";
import {
  bodyOf,
  bumpProgram,
  createProgram,
  diffDefinitions,
  findProgram,
  findRule,
  insertRule,
  type LoadedProgram,
  listRules,
  normalizeAntiFraud,
  type Program,
  type ProgramCatalog,
  type ProgramInput,
  type ProgramTermsInput,
  programFromRow,
  programsVisibleTo,
  type RuleBody,
  RuleChangedError,
  type RuleRecord,
  ruleBodyIssues,
  rulesVersionOf,
  ruleVersions,
  saveRuleVersion,
  setRuleActive,
  updateProgramTerms,
} from "../programs/index.js";
import { type SimulateInput, simulate } from "../purchases/index.js";
import type { StoreDirectory } from "../stores/index.js";
import { iso, type PartnerRef } from "./views.js";

interface Change {
  partnerId: number | null;
  entityType: string;
  entityId: string | number;
  action: string;
  before: unknown;
  after: unknown;
}

/** A program in a file: what `program:export` writes and `program:import` reads. */
export interface ProgramFile {
  format: "kopilka-program/1";
  program: ProgramInput & { kind: "loyalty" | "discount" };
  rules: (Partial<Pick<RuleDefinition, "id">> & RuleBody & { active?: boolean })[];
}

export const PROGRAM_FILE_FORMAT = "kopilka-program/1";

function ruleInvalid(issues: RuleIssue[], prefix = "", label = ""): DomainError {
  const at = (path: string) => (prefix ? (path ? `${prefix}.${path}` : prefix) : path || "body");
  const list = issues.map((i) => ({
    field: at(i.path),
    code: i.code,
    message: i.message,
    ...(i.limit !== undefined ? { limit: i.limit } : {}),
  }));
  return new DomainError(
    "RULE_INVALID",
    `${label}${list.map((i) => `${i.field}: ${i.message}`).join("; ")}`,
    {
      field: list[0]?.field ?? "body",
      issues: list,
    },
  );
}

export function ruleView(r: RuleRecord) {
  return {
    id: r.id,
    version: r.version,
    active: r.active,
    definition: r.definition,
    updatedAt: iso(r.updatedAt),
  };
}

function termsView(p: Program) {
  return {
    name: p.name,
    kind: p.kind,
    active: p.active,
    holdDays: p.holdDays,
    pointsLifetimeDays: p.pointsLifetimeDays,
    purchaseTtlSeconds: p.purchaseTtlSeconds,
    cancelWindowMinutes: p.cancelWindowMinutes,
    maxPointsPaymentShareBp: p.maxPointsPaymentShareBp,
    discountRounding: p.discountRounding,
    maxLineDiscountBp: p.maxLineDiscountBp,
    maxReceiptDiscountBp: p.maxReceiptDiscountBp,
    refundPolicy: p.refundPolicy,
    antiFraud: normalizeAntiFraud(p.antiFraud),
  };
}

export class ProgramAdminService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly catalog: ProgramCatalog,
    private readonly stores: StoreDirectory,
  ) {}

  private get db(): Executor {
    return this.database.db;
  }

  /** Runs a change and records it in one transaction; this process's catalog looks again at once. */
  private async change<T>(
    actor: Actor,
    work: (trx: Trx, now: number) => Promise<{ result: T; audit: Change | null }>,
  ): Promise<T> {
    try {
      const result = await this.database.transaction(async (trx) => {
        const now = this.clock.now();
        const { result, audit } = await work(trx, now);
        if (audit && JSON.stringify(audit.before) !== JSON.stringify(audit.after))
          await recordAudit(trx, actor, audit, now);
        return result;
      });
      this.catalog.invalidate();
      return result;
    } catch (error) {
      if (error instanceof RuleChangedError)
        throw new DomainError("RULE_CHANGED", error.message, { field: "ruleId" });
      if (isUniqueViolation(error))
        throw new DomainError("PROGRAM_EXISTS", "a program with this code exists", { field: "code" });
      throw error;
    }
  }

  // ---- programs ---------------------------------------------------------------------------------

  /** A program the partner owns or participates in. */
  private async visible(db: Executor, partner: PartnerRef, code: string) {
    const own = await findProgram(db, partner.id, code);
    if (own) return { program: programFromRow(own), relation: "owner" as const, owner: partner.code };
    const shared = (await programsVisibleTo(db, partner.id)).find(
      (v) => v.relation === "participant" && v.program.code === code,
    );
    if (!shared)
      throw new DomainError("PROGRAM_NOT_FOUND", `${partner.code} has no program ${code}`, {
        field: "programCode",
      });
    const owner = await db
      .selectFrom("partners")
      .select("code")
      .where("id", "=", shared.program.partnerId)
      .executeTakeFirstOrThrow();
    return { program: shared.program, relation: "participant" as const, owner: owner.code };
  }

  /** A program the partner owns: participants read, only the owner changes. */
  private async owned(db: Executor, partner: PartnerRef, code: string): Promise<Program> {
    const found = await this.visible(db, partner, code);
    if (found.relation !== "owner")
      throw new DomainError(
        "PROGRAM_NOT_OWNED",
        `${partner.code} participates in ${code} but does not own it`,
        {
          field: "programCode",
        },
      );
    return found.program;
  }

  private async detail(db: Executor, partner: PartnerRef, code: string) {
    const { program, relation, owner } = await this.visible(db, partner, code);
    return {
      code: program.code,
      ...termsView(program),
      ownerPartnerCode: owner,
      relation,
      version: program.version,
      rulesVersion: rulesVersionOf(program.id, program.version),
    };
  }

  getProgram(partner: PartnerRef, code: string) {
    return this.detail(this.db, partner, code);
  }

  async createProgram(actor: Actor, partner: PartnerRef, input: ProgramInput) {
    return this.change(actor, async (trx, now) => {
      if (await findProgram(trx, partner.id, input.code))
        throw new DomainError("PROGRAM_EXISTS", `program ${input.code} exists`, { field: "code" });
      // Programs made in the cabinet round percentage discounts half up unless told otherwise.
      await createProgram(
        trx,
        partner.id,
        { ...input, discountRounding: input.discountRounding ?? "half_up" },
        now,
      );
      const view = await this.detail(trx, partner, input.code);
      return {
        result: view,
        audit: {
          partnerId: partner.id,
          entityType: "program",
          entityId: input.code,
          action: "create",
          before: null,
          after: view,
        },
      };
    });
  }

  async updateProgram(actor: Actor, partner: PartnerRef, code: string, patch: ProgramTermsInput) {
    return this.change(actor, async (trx, now) => {
      const program = await this.owned(trx, partner, code);
      const before = await this.detail(trx, partner, code);
      if (patch.antiFraud !== undefined) patch = { ...patch, antiFraud: normalizeAntiFraud(patch.antiFraud) };
      const changed = Object.entries(patch).some(
        ([k, v]) =>
          v !== undefined &&
          JSON.stringify((termsView(program) as Record<string, unknown>)[k]) !== JSON.stringify(v),
      );
      if (changed) await updateProgramTerms(trx, program.id, patch, now);
      const after = await this.detail(trx, partner, code);
      return {
        result: after,
        audit: changed
          ? { partnerId: partner.id, entityType: "program", entityId: code, action: "update", before, after }
          : null,
      };
    });
  }

  // ---- rules ------------------------------------------------------------------------------------

  async listRules(partner: PartnerRef, code: string, filter: { active?: boolean }) {
    const { program } = await this.visible(this.db, partner, code);
    return { items: (await listRules(this.db, program.id, filter)).map(ruleView) };
  }

  private async rule(db: Executor, program: Program, ruleId: number): Promise<RuleRecord> {
    const rule = await findRule(db, program.id, ruleId);
    if (!rule)
      throw new DomainError("RULE_NOT_FOUND", `no rule ${ruleId} in ${program.code}`, { field: "ruleId" });
    return rule;
  }

  async getRule(partner: PartnerRef, code: string, ruleId: number) {
    const { program } = await this.visible(this.db, partner, code);
    return ruleView(await this.rule(this.db, program, ruleId));
  }

  /** Checks a body as the rule it would become; RULE_INVALID lists every problem with its field. */
  private checked(body: unknown, identity: { id: number; version: number; program: string }): RuleBody {
    const { issues, definition } = ruleBodyIssues(body, identity);
    if (!definition) throw ruleInvalid(issues);
    return bodyOf(definition);
  }

  async createRule(actor: Actor, partner: PartnerRef, code: string, body: unknown, active = true) {
    return this.change(actor, async (trx, now) => {
      const program = await this.owned(trx, partner, code);
      const checked = this.checked(body, { id: 1, version: 1, program: program.code });
      const definition = await insertRule(trx, program.id, program.code, checked, active, now, actor.userId);
      await bumpProgram(trx, program.id, now);
      const view = ruleView(await this.rule(trx, program, definition.id));
      return {
        result: view,
        audit: {
          partnerId: partner.id,
          entityType: "rule",
          entityId: `${code}/${definition.id}`,
          action: "create",
          before: null,
          after: view,
        },
      };
    });
  }

  /** A new version of the rule; a body equal to the current version changes nothing. */
  async updateRule(actor: Actor, partner: PartnerRef, code: string, ruleId: number, body: unknown) {
    return this.change(actor, async (trx, now) => {
      const program = await this.owned(trx, partner, code);
      const current = await this.rule(trx, program, ruleId);
      const checked = this.checked(body, { id: ruleId, version: current.version + 1, program: program.code });
      const before = ruleView(current);
      if (JSON.stringify(checked) === JSON.stringify(bodyOf(current.definition)))
        return { result: before, audit: null };
      await saveRuleVersion(trx, current, program.code, checked, now, actor.userId);
      if (current.active) await bumpProgram(trx, program.id, now);
      const after = ruleView(await this.rule(trx, program, ruleId));
      return {
        result: after,
        audit: {
          partnerId: partner.id,
          entityType: "rule",
          entityId: `${code}/${ruleId}`,
          action: "update",
          before,
          after,
        },
      };
    });
  }

  async setRuleActive(actor: Actor, partner: PartnerRef, code: string, ruleId: number, active: boolean) {
    return this.change(actor, async (trx, now) => {
      const program = await this.owned(trx, partner, code);
      const current = await this.rule(trx, program, ruleId);
      const before = ruleView(current);
      if (current.active === active) return { result: before, audit: null };
      if (active) {
        // A rule kept from before versions that could never give anything stays off.
        const { issues } = ruleBodyIssues(bodyOf(current.definition), {
          id: current.id,
          version: current.version,
          program: program.code,
        });
        if (issues.length > 0) throw ruleInvalid(issues);
      }
      await setRuleActive(trx, ruleId, active, now);
      await bumpProgram(trx, program.id, now);
      const after = ruleView(await this.rule(trx, program, ruleId));
      return {
        result: after,
        audit: {
          partnerId: partner.id,
          entityType: "rule",
          entityId: `${code}/${ruleId}`,
          action: active ? "enable" : "disable",
          before,
          after,
        },
      };
    });
  }

  async ruleVersions(partner: PartnerRef, code: string, ruleId: number) {
    const { program } = await this.visible(this.db, partner, code);
    await this.rule(this.db, program, ruleId);
    const items = await ruleVersions(this.db, ruleId);
    return { items: items.map((v) => ({ ...v, createdAt: iso(v.createdAt) })) };
  }

  private async versionOf(partner: PartnerRef, code: string, ruleId: number, version: number, field: string) {
    const { program } = await this.visible(this.db, partner, code);
    await this.rule(this.db, program, ruleId);
    const found = (await ruleVersions(this.db, ruleId)).find((v) => v.version === version);
    if (!found)
      throw new DomainError("RULE_VERSION_NOT_FOUND", `rule ${ruleId} has no version ${version}`, { field });
    return found;
  }

  async ruleVersion(partner: PartnerRef, code: string, ruleId: number, version: number) {
    const v = await this.versionOf(partner, code, ruleId, version, "version");
    return { ...v, createdAt: iso(v.createdAt) };
  }

  async ruleDiff(partner: PartnerRef, code: string, ruleId: number, from: number, to: number) {
    const a = await this.versionOf(partner, code, ruleId, from, "from");
    const b = await this.versionOf(partner, code, ruleId, to, "to");
    const changes = diffDefinitions(bodyOf(a.definition), bodyOf(b.definition));
    return { ruleId, from, to, changes };
  }

  ruleTypes() {
    return {
      conditions: CONDITION_TYPES as Record<string, TypeEntry>,
      effects: EFFECT_TYPES as Record<string, TypeEntry>,
      stacking: RuleStacking,
      messagePlaceholders: MESSAGE_PLACEHOLDERS,
    };
  }

  // ---- simulate ---------------------------------------------------------------------------------

  async simulate(partner: PartnerRef, programCode: string | undefined, input: SimulateInput) {
    let program: LoadedProgram | null = null;
    if (programCode !== undefined) {
      const found = await this.visible(this.db, partner, programCode);
      program = await this.catalog.get(found.program.id);
    }
    return simulate(
      { database: this.database, programs: this.catalog, stores: this.stores, clock: this.clock },
      partner.id,
      program,
      input,
    );
  }

  // ---- export and import ------------------------------------------------------------------------

  async exportProgram(partnerCode: string, code: string): Promise<ProgramFile> {
    const partner = await this.partner(partnerCode);
    const program = await this.owned(this.db, partner, code);
    const rules = await listRules(this.db, program.id);
    const t = termsView(program);
    return {
      format: PROGRAM_FILE_FORMAT,
      program: {
        code: program.code,
        kind: program.kind as "loyalty" | "discount",
        name: t.name,
        active: t.active,
        holdDays: t.holdDays,
        pointsLifetimeDays: t.pointsLifetimeDays,
        purchaseTtlSeconds: t.purchaseTtlSeconds,
        cancelWindowMinutes: t.cancelWindowMinutes,
        maxPointsPaymentShareBp: t.maxPointsPaymentShareBp,
        discountRounding: t.discountRounding,
        maxLineDiscountBp: t.maxLineDiscountBp,
        maxReceiptDiscountBp: t.maxReceiptDiscountBp,
        refundPolicy: t.refundPolicy,
        ...(program.antiFraud ? { antiFraud: t.antiFraud } : {}),
      },
      rules: rules.map((r) => ({ id: r.id, active: r.active, ...bodyOf(r.definition) })),
    };
  }

  private async partner(code: string): Promise<PartnerRef> {
    const p = await getPartnerByCode(this.db, code);
    if (!p) throw new DomainError("PARTNER_NOT_FOUND", `no partner ${code}`, { field: "partner" });
    return { id: p.id, code: p.code, name: p.name };
  }

  /**
   * Creates or updates the program and its rules from a file, all or nothing. A rule with the `id` of a
   * rule of this program becomes its new version (when it differs); any other rule is created; rules of
   * the program the file does not list are disabled. Every problem names the rule and the field
   * (`rules[2].effects[0].params.percentBp`).
   */
  async importProgram(actor: Actor, partnerCode: string, file: unknown) {
    const partner = await this.partner(partnerCode);
    const parsed = parseProgramFile(file);
    const { program: input } = parsed;
    const checked = parsed.rules.map((r, i) => {
      const { id, active, ...body } = r as unknown as Record<string, unknown>;
      const { issues, definition } = ruleBodyIssues(body, { id: 1, version: 1, program: input.code });
      const label = typeof body.name === "string" ? `rule "${body.name}": ` : "";
      if (!definition) throw ruleInvalid(issues, `rules[${i}]`, label);
      if (active !== undefined && typeof active !== "boolean")
        throw ruleInvalid([{ path: "active", code: "type", message: "must be a boolean" }], `rules[${i}]`);
      return { id: typeof id === "number" ? id : null, active: active !== false, body: bodyOf(definition) };
    });
    const outcome = { created: 0, updated: 0, unchanged: 0, disabled: 0, enabled: 0 };
    await this.change(actor, async (trx, now) => {
      const existing = await findProgram(trx, partner.id, input.code);
      let program: Program;
      const { code: _code, kind, ...terms } = input;
      if (!existing) {
        await createProgram(
          trx,
          partner.id,
          { ...input, discountRounding: input.discountRounding ?? "half_up" },
          now,
        );
        program = programFromRow((await findProgram(trx, partner.id, input.code))!);
      } else {
        program = await this.owned(trx, partner, input.code);
        if (kind !== undefined && kind !== program.kind)
          throw new DomainError("VALIDATION_FAILED", "a program's kind cannot change", {
            field: "program.kind",
          });
        await updateProgramTerms(trx, program.id, terms, now);
      }
      const current = new Map((await listRules(trx, program.id)).map((r) => [r.id, r]));
      const listed = new Set<number>();
      for (const r of checked) {
        const rule = r.id !== null ? current.get(r.id) : undefined;
        if (!rule) {
          await insertRule(trx, program.id, program.code, r.body, r.active, now, actor.userId);
          outcome.created++;
          continue;
        }
        listed.add(rule.id);
        if (JSON.stringify(r.body) !== JSON.stringify(bodyOf(rule.definition))) {
          await saveRuleVersion(trx, rule, program.code, r.body, now, actor.userId);
          outcome.updated++;
        } else outcome.unchanged++;
        if (rule.active !== r.active) {
          await setRuleActive(trx, rule.id, r.active, now);
          if (r.active) outcome.enabled++;
          else outcome.disabled++;
        }
      }
      for (const rule of current.values())
        if (!listed.has(rule.id) && rule.active) {
          await setRuleActive(trx, rule.id, false, now);
          outcome.disabled++;
        }
      await bumpProgram(trx, program.id, now);
      return {
        result: undefined,
        audit: {
          partnerId: partner.id,
          entityType: "program",
          entityId: input.code,
          action: "import",
          before: existing ? { version: existing.version } : null,
          after: { ...outcome },
        },
      };
    });
    return { program: input.code, ...outcome };
  }
}

/** The file's shape, checked before anything is written; problems name their field. */
function parseProgramFile(file: unknown): ProgramFile {
  const fail = (field: string, message: string) =>
    new DomainError("VALIDATION_FAILED", `${field}: ${message}`, { field, reason: message });
  if (file === null || typeof file !== "object") throw fail("file", "is not a JSON object");
  const f = file as Record<string, unknown>;
  if (f.format !== PROGRAM_FILE_FORMAT) throw fail("format", `must be ${PROGRAM_FILE_FORMAT}`);
  const p = f.program as Record<string, unknown> | undefined;
  if (!p || typeof p !== "object") throw fail("program", "is required");
  if (typeof p.code !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(p.code))
    throw fail("program.code", "is not a program code");
  if (typeof p.name !== "string" || p.name.length === 0) throw fail("program.name", "is required");
  const ints = [
    "holdDays",
    "purchaseTtlSeconds",
    "cancelWindowMinutes",
    "maxPointsPaymentShareBp",
    "maxLineDiscountBp",
    "maxReceiptDiscountBp",
  ];
  for (const k of ints)
    if (p[k] !== undefined && (!Number.isInteger(p[k]) || (p[k] as number) < 0))
      throw fail(`program.${k}`, "must be a non-negative integer");
  for (const k of ["maxPointsPaymentShareBp", "maxLineDiscountBp", "maxReceiptDiscountBp"])
    if (typeof p[k] === "number" && p[k] > 10_000) throw fail(`program.${k}`, "must be at most 10000");
  if (p.discountRounding !== undefined && p.discountRounding !== "half_up" && p.discountRounding !== "down")
    throw fail("program.discountRounding", "must be half_up or down");
  if (p.kind !== undefined && p.kind !== "loyalty" && p.kind !== "discount")
    throw fail("program.kind", "must be loyalty or discount");
  if (p.antiFraud !== undefined && p.antiFraud !== null) {
    if (typeof p.antiFraud !== "object" || Array.isArray(p.antiFraud))
      throw fail("program.antiFraud", "must be an object or null");
    for (const [k, v] of Object.entries(p.antiFraud as Record<string, unknown>)) {
      if (!(ANTI_FRAUD_CAPS as readonly string[]).includes(k))
        throw fail(`program.antiFraud.${k}`, "is not an anti-fraud cap");
      if (v !== null && (!Number.isSafeInteger(v) || (v as number) < 1 || (v as number) > 1_000_000_000_000))
        throw fail(`program.antiFraud.${k}`, "must be null or a positive integer");
    }
  }
  if (!Array.isArray(f.rules)) throw fail("rules", "must be an array");
  return file as ProgramFile;
}
