/**
 * The PharmApi part of the bench: a manufacturer's discount program on the bench partner (20 products,
 * a per-card monthly limit that every get_discount reserves, a card range whose cards exist on first use,
 * 100k of them used before), a PharmApi credential pair and the bench store bound to a POS id; and the
 * get_discount workload: 10 lines of the program on a card drawn at random (see getDiscountWorkload).
 */
import type { DiscountProgramBody } from "@kopilka/contract";
import type { Database } from "../src/infra/db/database.js";
import { systemClock } from "../src/kernel/index.js";
import { findCard } from "../src/modules/cards/index.js";
import { cardNumber, seedCards } from "../src/modules/demo/index.js";
import { DiscountProgramService } from "../src/modules/discount-programs/index.js";
import { findPartnerByCode } from "../src/modules/partners/index.js";
import {
  bindPosIds,
  createPharmApiCredential,
  findPharmApiCredentialByToken,
} from "../src/modules/pharmapi/index.js";
import { findProgram, ProgramCatalog } from "../src/modules/programs/index.js";
import { getStoreByCode } from "../src/modules/stores/index.js";
import type { Workload } from "./load.js";
import { BENCH_STORE, rng } from "./seed.js";

export const PHARM_TOKEN = "bench-pharmapi-token-0123456789";
export const PHARM_SECRET = "bench-pharmapi-secret-0123456789";
/**
 * A POS id of this run's own: calculations of earlier runs, never confirmed and never expired (the bench
 * runs no sweeper), would otherwise be replaced by every call for the same card, the rare case made common.
 */
const POS_ID = `bench-pharmacy-pos-${Date.now().toString(36)}-${process.pid}`;
export const PROGRAM_CODE = "bench-discount";
const CARD_PREFIX = "777";
/** Cards of the range given out and used before the run: 777 1 and 9 digits. */
const ISSUED_CARDS = 100_000;
const FIRST_ISSUED = 7_771_000_000_000;
/** Share of calls that bring a card never used before (777 2 and 9 digits), created on first use. */
const FIRST_USE_SHARE = 0.05;
const FIRST_NEW = 7_772_000_000_000;
const NEW_NUMBERS = 1_000_000_000;
const LINES = 10;

/** EAN-13 with its check digit, from a 12-digit body. */
function ean13(body: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i % 2 === 0 ? 1 : 3);
  return body + String((10 - (sum % 10)) % 10);
}

const BARCODES = Array.from({ length: 20 }, (_, i) => ean13(`4607000${String(i + 1).padStart(5, "0")}`));

export const PROGRAM: DiscountProgramBody = {
  name: "Bench manufacturer program",
  items: BARCODES.map((barcode, i) => ({
    barcode,
    name: `Bench product ${i + 1}`,
    discount: i % 2 === 0 ? { type: "percent", percentBp: 1500 } : { type: "cash", amount: 2_500 },
  })),
  // Large enough never to run out in a bench run, so every call reserves packs against it.
  limits: [{ id: "monthly", period: "calendar_month", maxPacks: 100_000 }],
  cardRanges: [
    {
      prefix: CARD_PREFIX,
      lengths: [13],
      activeSuffixes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    },
  ],
  confirmWindowMinutes: 30,
  confirmAllTogether: false,
  registration: false,
};

/** Creates what the get_discount measurement needs, once; later runs reuse it. */
export async function preparePharmApi(database: Database, partnerCode: string): Promise<void> {
  const partner = await findPartnerByCode(database.db, partnerCode);
  if (!partner) throw new Error(`no partner ${partnerCode}`);
  const now = Date.now();
  let program = await findProgram(database.db, partner.id, PROGRAM_CODE);
  if (!program) {
    const service = new DiscountProgramService(database, systemClock, new ProgramCatalog(database));
    await service.create(
      { userId: null, address: "cli" },
      { id: partner.id, code: partnerCode },
      { code: PROGRAM_CODE, ...PROGRAM },
    );
    program = await findProgram(database.db, partner.id, PROGRAM_CODE);
    if (!program) throw new Error(`no program ${PROGRAM_CODE}`);
  }
  const store = await getStoreByCode(database.db, partner.id, BENCH_STORE);
  if (!store) throw new Error(`no store ${BENCH_STORE}`);
  await bindPosIds(database.db, partner.id, store.id, [POS_ID], now);
  if (!(await findCard(database.db, partner.id, cardNumber(FIRST_ISSUED + ISSUED_CARDS - 1))))
    await seedCards(database, {
      partnerId: partner.id,
      programId: program.id,
      count: ISSUED_CARDS,
      firstNumber: FIRST_ISSUED,
      balanceOf: () => 0,
      now,
    });
  if (!(await findPharmApiCredentialByToken(database.db, partner.id, PHARM_TOKEN)))
    await createPharmApiCredential(
      database.db,
      partner.id,
      { description: "bench", token: PHARM_TOKEN, secret: PHARM_SECRET },
      now,
    );
}

/** Share of get_discount calls that recalculate for a card this POS calculated for moments before. */
const RECALCULATED_SHARE = 0.1;
/** The cards recalculated for are drawn from the latest ones. */
const RECENT_CARDS = 64;

/**
 * get_discount calls on cards drawn at random: of the range's cards given out before, or, one call in 20,
 * a card never used before; a tenth of the calls are a cashier's recalculation (the same card again,
 * which replaces the earlier calculation). `seed` differs from run to run and round to round: a fixed
 * sequence would make every call of a later round recalculate for a card of the first.
 */
export function getDiscountWorkload(seed: number): Workload {
  const random = rng(seed);
  const recent: string[] = [];
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "authorization-token": PHARM_TOKEN,
      "authorization-secret": PHARM_SECRET,
    },
    next: () => {
      let card: string;
      if (recent.length === RECENT_CARDS && random() < RECALCULATED_SHARE)
        card = recent[Math.floor(random() * RECENT_CARDS)]!;
      else {
        card =
          random() < FIRST_USE_SHARE
            ? cardNumber(FIRST_NEW + Math.floor(random() * NEW_NUMBERS))
            : cardNumber(FIRST_ISSUED + Math.floor(random() * ISSUED_CARDS));
        if (recent.length === RECENT_CARDS) recent[Math.floor(random() * RECENT_CARDS)] = card;
        else recent.push(card);
      }
      const start = Math.floor(random() * BARCODES.length);
      const orders = Array.from({ length: LINES }, (_, i) => {
        const barcode = BARCODES[(start + i) % BARCODES.length];
        return `{"barcode":"${barcode}","count":1,"price":${[99.9, 123.45, 450, 1299.99][i % 4]}}`;
      });
      return {
        path: "/api/v1.1/get_discount",
        body: `{"pos_id":"${POS_ID}","card_number":"${card}","orders":[${orders.join(",")}]}`,
        tag: card,
      };
    },
  };
}
