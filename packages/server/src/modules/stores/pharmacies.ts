/**
 * A chain's list of pharmacies (PharmApi `update_pharmacies` and `pl`, the native `PUT /v1/stores`): each
 * pharmacy is a store of the partner, its POS ids bound to it. One upload is one transaction.
 *
 * - A repeated code: the last occurrence wins, whole.
 * - A POS id listed by several pharmacies belongs to the last of them.
 * - A listed pharmacy is written over as a whole: optional fields left out become empty, its POS ids are
 *   exactly those listed.
 * - `replace` also removes every store the list leaves out: inactive, `removed_at` set, POS ids unbound.
 *   Rows are never deleted, since purchases, stock and sell-out reference them; listing the store again
 *   brings it back.
 */
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";
import { DomainError } from "../../kernel/errors.js";
import { isValidTimeZone, storesChanged } from "./stores.js";

export type PharmacyUpdateMode = "merge" | "replace";

export interface PharmacyCard {
  code: string;
  address: string;
  /** The store's display name; when absent, the brand, else the address. */
  name?: string | null;
  /** IANA zone of a new store; an existing store keeps its own when absent. */
  timezone?: string | null;
  brand?: string | null;
  legalEntity?: string | null;
  inn?: string | null;
  region?: string | null;
  city?: string | null;
  gps?: string | null;
  workTime?: string | null;
  phones?: string | null;
  posIds?: readonly string[];
  disabled?: boolean;
  hidden?: boolean;
}

export interface PharmacyUpdateResult {
  /** Distinct pharmacies in the list. */
  pharmacies: number;
  created: number;
  updated: number;
  removed: number;
  posIds: number;
}

/** Where a pharmacy of the chain is when the upload names no zone: the protocol is Russian. */
export const DEFAULT_PHARMACY_TIMEZONE = "Europe/Moscow";

const CHUNK = 500;

export async function applyPharmacies(
  database: Database,
  partnerId: number,
  mode: PharmacyUpdateMode,
  cards: readonly PharmacyCard[],
  now: number,
  /** The request's name of the list, for `details.field`. */
  listField = "pharmacies",
): Promise<PharmacyUpdateResult> {
  const { latest, posOwner } = resolveListing(cards);
  for (const [index, card] of latest.values()) {
    if (card.timezone && !isValidTimeZone(card.timezone)) {
      throw new DomainError("VALIDATION_FAILED", `unknown time zone ${card.timezone}`, {
        field: `${listField}[${index}].timezone`,
      });
    }
  }
  return database.transaction(async (trx) => {
    // One list upload of a partner at a time: two would both insert a new code, or bind one POS id twice.
    await database.forUpdate(trx.selectFrom("partners").select("id").where("id", "=", partnerId)).execute();
    const existing = new Map(
      (await trx.selectFrom("stores").selectAll().where("partner_id", "=", partnerId).execute()).map((r) => [
        r.code,
        r,
      ]),
    );
    let created = 0;
    let updated = 0;
    const idOf = new Map<string, number>();
    const fresh: PharmacyCard[] = [];
    for (const [, card] of latest.values()) {
      const row = existing.get(card.code);
      if (!row) {
        fresh.push(card);
        continue;
      }
      await trx
        .updateTable("stores")
        .set({ ...cardColumns(card, row.timezone), updated_at: now })
        .where("id", "=", row.id)
        .execute();
      idOf.set(card.code, row.id);
      updated++;
    }
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const rows = await trx
        .insertInto("stores")
        .values(
          fresh.slice(i, i + CHUNK).map((card) => ({
            partner_id: partnerId,
            code: card.code,
            ...cardColumns(card, DEFAULT_PHARMACY_TIMEZONE),
            created_at: now,
            updated_at: now,
          })),
        )
        .returning(["id", "code"])
        .execute();
      for (const r of rows) idOf.set(r.code, r.id);
      created += rows.length;
    }

    let removed = 0;
    if (mode === "replace") {
      const gone = [...existing.values()].filter((r) => !latest.has(r.code) && r.removed_at === null);
      for (let i = 0; i < gone.length; i += CHUNK) {
        await trx
          .updateTable("stores")
          .set({ active: 0, removed_at: now, updated_at: now })
          .where(
            "id",
            "in",
            gone.slice(i, i + CHUNK).map((r) => r.id),
          )
          .execute();
      }
      removed = gone.length;
      await trx.deleteFrom("store_pos_ids").where("partner_id", "=", partnerId).execute();
    } else {
      const listed = [...idOf.values()];
      for (let i = 0; i < listed.length; i += CHUNK) {
        await trx
          .deleteFrom("store_pos_ids")
          .where("store_id", "in", listed.slice(i, i + CHUNK))
          .execute();
      }
      const moved = [...posOwner.keys()];
      for (let i = 0; i < moved.length; i += CHUNK) {
        await trx
          .deleteFrom("store_pos_ids")
          .where("partner_id", "=", partnerId)
          .where("pos_id", "in", moved.slice(i, i + CHUNK))
          .execute();
      }
    }
    const bindings = [...posOwner].map(([posId, code]) => ({
      partner_id: partnerId,
      pos_id: posId,
      store_id: idOf.get(code)!,
      updated_at: now,
    }));
    for (let i = 0; i < bindings.length; i += CHUNK) {
      await trx
        .insertInto("store_pos_ids")
        .values(bindings.slice(i, i + CHUNK))
        .execute();
    }
    await storesChanged(trx);
    return { pharmacies: latest.size, created, updated, removed, posIds: bindings.length };
  });
}

/**
 * The listing as it stands after "last wins": each code's last card (with its position in the request),
 * and each POS id's owner, the last surviving card that lists it.
 */
export function resolveListing(cards: readonly PharmacyCard[]): {
  latest: Map<string, [index: number, card: PharmacyCard]>;
  posOwner: Map<string, string>;
} {
  const lastIndex = new Map<string, number>();
  cards.forEach((card, i) => {
    lastIndex.set(card.code, i);
  });
  const latest = new Map<string, [number, PharmacyCard]>();
  const posOwner = new Map<string, string>();
  cards.forEach((card, i) => {
    if (lastIndex.get(card.code) !== i) return;
    latest.set(card.code, [i, card]);
    for (const posId of card.posIds ?? []) {
      // Re-inserting moves the key to the end, so the map's order follows the request.
      posOwner.delete(posId);
      posOwner.set(posId, card.code);
    }
  });
  return { latest, posOwner };
}

function cardColumns(card: PharmacyCard, timezone: string) {
  const text = (v: string | null | undefined) => (v === undefined || v === null || v === "" ? null : v);
  return {
    name: text(card.name) ?? text(card.brand) ?? card.address,
    timezone: text(card.timezone) ?? timezone,
    address: card.address,
    brand: text(card.brand),
    legal_entity: text(card.legalEntity),
    inn: text(card.inn),
    region: text(card.region),
    city: text(card.city),
    gps: text(card.gps),
    work_time: text(card.workTime),
    phones: text(card.phones),
    active: card.disabled ? 0 : 1,
    hidden: card.hidden ? 1 : 0,
    removed_at: null,
  };
}

/**
 * Binds POS ids to a store outside an upload (the PharmApi test preset): a POS id bound to another store
 * moves, as an upload listing it last would move it.
 */
export async function bindPosIds(
  db: Executor,
  partnerId: number,
  storeId: number,
  posIds: readonly string[],
  now: number,
): Promise<void> {
  for (const posId of posIds)
    await db
      .insertInto("store_pos_ids")
      .values({ partner_id: partnerId, pos_id: posId, store_id: storeId, updated_at: now })
      .onConflict((oc) =>
        oc.columns(["partner_id", "pos_id"]).doUpdateSet({ store_id: storeId, updated_at: now }),
      )
      .execute();
  await storesChanged(db);
}

export async function posIdsOfStore(db: Executor, storeId: number): Promise<string[]> {
  const rows = await db
    .selectFrom("store_pos_ids")
    .select("pos_id")
    .where("store_id", "=", storeId)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.pos_id);
}

/** Ids of the partner's stores by code, for uploads that name stores (stock, sell-out). */
export async function storeIdsByCodes(
  db: Executor | Trx,
  partnerId: number,
  codes: readonly string[],
): Promise<Map<string, Pick<Row<"stores">, "id" | "code" | "removed_at">>> {
  const found = new Map<string, Pick<Row<"stores">, "id" | "code" | "removed_at">>();
  const unique = [...new Set(codes)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await db
      .selectFrom("stores")
      .select(["id", "code", "removed_at"])
      .where("partner_id", "=", partnerId)
      .where("code", "in", unique.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) found.set(r.code, r);
  }
  return found;
}

/** The pharmacy card of a store, as the native API shows it. */
export interface PharmacyView {
  code: string;
  name: string;
  timezone: string;
  address: string | null;
  brand: string | null;
  legalEntity: string | null;
  inn: string | null;
  region: string | null;
  city: string | null;
  gps: string | null;
  workTime: string | null;
  phones: string | null;
  posIds: string[];
  disabled: boolean;
  hidden: boolean;
  removed: boolean;
}

export async function pharmacyView(db: Executor, partnerId: number, code: string): Promise<PharmacyView> {
  const row = await db
    .selectFrom("stores")
    .selectAll()
    .where("partner_id", "=", partnerId)
    .where("code", "=", code)
    .executeTakeFirst();
  if (!row) throw new DomainError("STORE_NOT_FOUND", `no store ${code}`, { field: "storeCode" });
  return {
    code: row.code,
    name: row.name,
    timezone: row.timezone,
    address: row.address,
    brand: row.brand,
    legalEntity: row.legal_entity,
    inn: row.inn,
    region: row.region,
    city: row.city,
    gps: row.gps,
    workTime: row.work_time,
    phones: row.phones,
    posIds: await posIdsOfStore(db, row.id),
    disabled: row.active === 0,
    hidden: row.hidden === 1,
    removed: row.removed_at !== null,
  };
}

/** The chain's pharmacy list as the application layer offers it to the PharmApi and native surfaces. */
export class PharmacyService {
  constructor(
    private readonly database: Database,
    private readonly clock: { now(): number },
  ) {}

  apply(
    partnerId: number,
    mode: PharmacyUpdateMode,
    cards: readonly PharmacyCard[],
    listField?: string,
  ): Promise<PharmacyUpdateResult> {
    return applyPharmacies(this.database, partnerId, mode, cards, this.clock.now(), listField);
  }

  view(partnerId: number, code: string): Promise<PharmacyView> {
    return pharmacyView(this.database.db, partnerId, code);
  }
}
