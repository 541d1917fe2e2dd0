/**
 * Discount program definitions as stored: the current one per program (`discount_programs`) and every
 * version ever saved (`discount_program_versions`). The program row itself (code, name, kind `discount`,
 * window) belongs to the programs module; every change bumps the program's version there, in the same
 * transaction, and the definition is saved under that version, so a purchase's recorded version names
 * exactly the definition that priced it.
 */
import type {
  CardRange,
  DiscountProgramBody,
  DiscountProgramDefinition,
  DiscountProgramSettings,
} from "@kopilka/contract";
import type { Executor } from "../../infra/db/database.js";

/** The definition's own fields: the program supplies code and version. */
export type StoredDefinition = Omit<DiscountProgramDefinition, "code" | "version">;

export interface DiscountProgramRecord {
  programId: number;
  version: number;
  definition: StoredDefinition;
  cardRanges: CardRange[];
  settings: DiscountProgramSettings;
  updatedAt: number;
}

export const DEFAULT_SETTINGS: DiscountProgramSettings = {
  confirmWindowMinutes: 30,
  confirmAllTogether: false,
  registration: false,
};

/** Splits what the cabinet sends into the engine's definition, the card ranges and the sale settings. */
export function partsOf(body: DiscountProgramBody): {
  definition: StoredDefinition;
  cardRanges: CardRange[];
  settings: DiscountProgramSettings;
} {
  const definition: StoredDefinition = {
    name: body.name,
    items: body.items,
    limits: body.limits ?? [],
    ...(body.validFrom != null ? { validFrom: body.validFrom } : {}),
    ...(body.validTo != null ? { validTo: body.validTo } : {}),
    ...(body.partners ? { partners: body.partners } : {}),
    ...(body.stores ? { stores: body.stores } : {}),
    ...(body.priceCeiling !== undefined ? { priceCeiling: body.priceCeiling } : {}),
  };
  const settings: DiscountProgramSettings = {
    confirmWindowMinutes: body.confirmWindowMinutes ?? DEFAULT_SETTINGS.confirmWindowMinutes,
    confirmAllTogether: body.confirmAllTogether ?? DEFAULT_SETTINGS.confirmAllTogether,
    registration: body.registration ?? DEFAULT_SETTINGS.registration,
    ...(body.description !== undefined ? { description: body.description } : {}),
  };
  return { definition, cardRanges: body.cardRanges ?? [], settings };
}

/** Saves a definition as the program's `version` (current and in the history); the caller's transaction. */
export async function saveDefinition(
  trx: Executor,
  programId: number,
  version: number,
  parts: ReturnType<typeof partsOf>,
  userId: number | null,
  now: number,
): Promise<void> {
  const columns = {
    version,
    definition: JSON.stringify(parts.definition),
    card_ranges: JSON.stringify(parts.cardRanges),
    settings: JSON.stringify(parts.settings),
  };
  await trx
    .insertInto("discount_programs")
    .values({ program_id: programId, ...columns, updated_at: now })
    .onConflict((oc) => oc.column("program_id").doUpdateSet({ ...columns, updated_at: now }))
    .execute();
  await trx
    .insertInto("discount_program_versions")
    .values({ program_id: programId, ...columns, user_id: userId, created_at: now })
    .execute();
}

function recordOf(row: {
  program_id: number;
  version: number;
  definition: string;
  card_ranges: string;
  settings: string;
  updated_at?: number;
  created_at?: number;
}): DiscountProgramRecord {
  return {
    programId: Number(row.program_id),
    version: row.version,
    definition: JSON.parse(row.definition) as StoredDefinition,
    cardRanges: JSON.parse(row.card_ranges) as CardRange[],
    settings: JSON.parse(row.settings) as DiscountProgramSettings,
    updatedAt: Number(row.updated_at ?? row.created_at ?? 0),
  };
}

export async function currentDefinition(
  db: Executor,
  programId: number,
): Promise<DiscountProgramRecord | null> {
  const row = await db
    .selectFrom("discount_programs")
    .selectAll()
    .where("program_id", "=", programId)
    .executeTakeFirst();
  return row ? recordOf(row) : null;
}

/**
 * The definition in force at a program version: the one saved at it, or the latest saved before it (a
 * change of the program's other terms bumps its version without touching the definition).
 */
export async function definitionAtVersion(
  db: Executor,
  programId: number,
  version: number,
): Promise<DiscountProgramRecord | null> {
  const row = await db
    .selectFrom("discount_program_versions")
    .selectAll()
    .where("program_id", "=", programId)
    .where("version", "<=", version)
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? recordOf(row) : null;
}

export async function definitionVersions(
  db: Executor,
  programId: number,
): Promise<{ version: number; createdAt: number; userId: number | null }[]> {
  const rows = await db
    .selectFrom("discount_program_versions")
    .select(["version", "created_at", "user_id"])
    .where("program_id", "=", programId)
    .orderBy("version", "desc")
    .execute();
  return rows.map((r) => ({
    version: r.version,
    createdAt: Number(r.created_at),
    userId: r.user_id === null ? null : Number(r.user_id),
  }));
}
