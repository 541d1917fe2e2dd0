/**
 * Programs that span chains. A program is owned by one partner (`programs.partner_id`: a manufacturer or
 * the processing operator) and may be offered to participating partners. The owner edits it and sees all
 * of its transactions; a participant sees only its own stores' transactions under it. Limits of such a
 * program count across all of them.
 */
import type { Executor } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";
import { type Program, programFromRow } from "./program-catalog.js";
import { bumpProgramsVersion } from "./programs.js";

export type ProgramRelation = "owner" | "participant";

export interface VisibleProgram {
  program: Program;
  active: boolean;
  relation: ProgramRelation;
}

export async function findProgram(
  db: Executor,
  partnerId: number,
  code: string,
): Promise<Row<"programs"> | null> {
  return (
    (await db
      .selectFrom("programs")
      .selectAll()
      .where("partner_id", "=", partnerId)
      .where("code", "=", code)
      .executeTakeFirst()) ?? null
  );
}

/** Adds a participant; false when it already was one (adding again changes nothing). */
export async function addParticipant(
  db: Executor,
  programId: number,
  partnerId: number,
  now: number,
): Promise<boolean> {
  const rows = await db
    .insertInto("program_participants")
    .values({ program_id: programId, partner_id: partnerId, created_at: now })
    .onConflict((oc) => oc.columns(["program_id", "partner_id"]).doNothing())
    .returning("partner_id")
    .execute();
  if (rows.length === 0) return false;
  // Who may use a program is part of what every process's catalog holds (usableDiscountProgramIds).
  await bumpProgramsVersion(db);
  return true;
}

/** Removes a participant; false when it was not one. */
export async function removeParticipant(
  db: Executor,
  programId: number,
  partnerId: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom("program_participants")
    .where("program_id", "=", programId)
    .where("partner_id", "=", partnerId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) return false;
  await bumpProgramsVersion(db);
  return true;
}

export async function participantsOf(
  db: Executor,
  programId: number,
): Promise<{ partnerId: number; since: number }[]> {
  const rows = await db
    .selectFrom("program_participants")
    .select(["partner_id", "created_at"])
    .where("program_id", "=", programId)
    .orderBy("partner_id")
    .execute();
  return rows.map((r) => ({ partnerId: r.partner_id, since: r.created_at }));
}

/** Every program a partner works with: its own, then those it participates in. */
export async function programsVisibleTo(db: Executor, partnerId: number): Promise<VisibleProgram[]> {
  const own = await db
    .selectFrom("programs")
    .selectAll()
    .where("partner_id", "=", partnerId)
    .orderBy("id")
    .execute();
  const offered = await db
    .selectFrom("programs")
    .selectAll()
    .where("id", "in", (eb) =>
      eb.selectFrom("program_participants").select("program_id").where("partner_id", "=", partnerId),
    )
    .orderBy("id")
    .execute();
  return [
    ...own.map((row) => ({
      program: programFromRow(row),
      active: row.active === 1,
      relation: "owner" as const,
    })),
    ...offered.map((row) => ({
      program: programFromRow(row),
      active: row.active === 1,
      relation: "participant" as const,
    })),
  ];
}

/**
 * How a partner stands to a program: the owner sees every transaction under it, a participant only
 * those of its own stores, anyone else nothing.
 */
export async function programRelation(
  db: Executor,
  partnerId: number,
  programId: number,
): Promise<ProgramRelation | null> {
  const program = await db
    .selectFrom("programs")
    .select("partner_id")
    .where("id", "=", programId)
    .executeTakeFirst();
  if (!program) return null;
  if (program.partner_id === partnerId) return "owner";
  const row = await db
    .selectFrom("program_participants")
    .select("partner_id")
    .where("program_id", "=", programId)
    .where("partner_id", "=", partnerId)
    .executeTakeFirst();
  return row ? "participant" : null;
}

/**
 * The programs this partner owns that other partners take part in: the only way another chain's
 * purchases become the owner's to see. Usually none, and then a purchase list is the partner's own.
 */
export async function sharedProgramIds(db: Executor, ownerPartnerId: number): Promise<number[]> {
  const rows = await db
    .selectFrom("programs as g")
    .innerJoin("program_participants as pp", "pp.program_id", "g.id")
    .select("g.id")
    .distinct()
    .where("g.partner_id", "=", ownerPartnerId)
    .where("pp.partner_id", "<>", ownerPartnerId)
    .execute();
  return rows.map((r) => r.id);
}
