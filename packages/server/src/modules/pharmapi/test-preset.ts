/**
 * The PharmApi test-program preset: program data that makes an install behave like the public PharmApi
 * test server (docs/pharmapi-protocol.md §4.1), loaded through the discount program service like any
 * program a manager saves, so it has no code path of its own. Cards of 13, 17 or 19 digits starting with
 * 123 exist on first use and are active only when they end in 0; 1111111111116 gets 20 %, 2222222222222
 * 99 %, 3333333333338 200 rubles off when the pack costs at most 1000 rubles; no limits; the protocol's
 * 30-minute window; any non-empty trust_key for cancel_purchase. Also a pharmacy with a POS id and a
 * credential pair, created or reused.
 */
import type { DiscountProgramBody } from "@kopilka/contract";
import type { Database } from "../../infra/db/database.js";
import type { Clock } from "../../kernel/index.js";
import { DiscountProgramService } from "../discount-programs/index.js";
import { findProgram, ProgramCatalog } from "../programs/index.js";
import { createStore, getStoreByCode } from "../stores/index.js";
import { createPharmApiCredential, findPharmApiCredentialByToken } from "./credentials.js";
import { acceptAnyTrustKey, bindPosIds } from "./state.js";

export const TEST_PROGRAM_CODE = "test";

export const TEST_PROGRAM: DiscountProgramBody = {
  name: "Тестовая программа для отладки протокола",
  description:
    "Скидка может быть разной при каждом расчёте, предложите покупателю испытать судьбу добавив ещё один препарат.",
  items: [
    {
      barcode: "1111111111116",
      name: 'Товар с кодом из двенадцати единиц и плюс (+) "6"',
      discount: { type: "percent", percentBp: 2000 },
    },
    {
      barcode: "2222222222222",
      name: 'Товар с кодом из двенадцати двоек и плюс (+) "2"',
      discount: { type: "percent", percentBp: 9900 },
    },
    {
      barcode: "3333333333338",
      name: 'Товар с кодом из двенадцати троек и плюс (+) "8"',
      discount: { type: "cash", amount: 20_000 },
      priceCeiling: 100_000,
    },
  ],
  limits: [],
  cardRanges: [{ prefix: "123", lengths: [13, 17, 19], activeSuffixes: ["0"] }],
  confirmWindowMinutes: 30,
  confirmAllTogether: false,
  registration: false,
};

export interface PresetOptions {
  partnerId: number;
  partnerCode: string;
  storeCode?: string;
  posId?: string;
  /** A fixed pair (the demo's); absent: a new random pair is issued. */
  token?: string;
  secret?: string;
}

export interface LoadedPreset {
  programCode: string;
  storeCode: string;
  posId: string;
  token: string;
  /** Null when the pair already existed and its secret was not given (only its hash is kept). */
  secret: string | null;
  programCreated: boolean;
}

export async function loadTestPreset(
  database: Database,
  clock: Clock,
  options: PresetOptions,
): Promise<LoadedPreset> {
  const { partnerId } = options;
  const storeCode = options.storeCode ?? "test-pharmacy";
  const posId = options.posId ?? "test-pos";
  const now = clock.now();
  const service = new DiscountProgramService(database, clock, new ProgramCatalog(database, clock));
  const actor = { userId: null, address: "cli" };
  const partner = { id: partnerId, code: options.partnerCode };
  const exists = (await findProgram(database.db, partnerId, TEST_PROGRAM_CODE)) !== null;
  if (exists) await service.update(actor, partner, TEST_PROGRAM_CODE, TEST_PROGRAM);
  else await service.create(actor, partner, { code: TEST_PROGRAM_CODE, ...TEST_PROGRAM });
  const store =
    (await getStoreByCode(database.db, partnerId, storeCode))?.id ??
    (await createStore(
      database.db,
      partnerId,
      { code: storeCode, name: "Тестовая аптека PharmApi", timezone: "Europe/Moscow" },
      now,
    ));
  await bindPosIds(database.db, partnerId, store, [posId], now);
  await acceptAnyTrustKey(database.db, partnerId, now);
  let token = options.token;
  let secret: string | null = options.secret ?? null;
  if (token && (await findPharmApiCredentialByToken(database.db, partnerId, token))) {
    // Reused: its secret is whatever was given, or unknown (only its hash is kept).
  } else {
    const issued = await createPharmApiCredential(
      database.db,
      partnerId,
      { description: "PharmApi test program", ...(token ? { token } : {}), ...(secret ? { secret } : {}) },
      now,
    );
    token = issued.token;
    secret = issued.secret;
  }
  return { programCode: TEST_PROGRAM_CODE, storeCode, posId, token, secret, programCreated: !exists };
}
