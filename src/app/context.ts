import type { Logger } from "pino";
import type { Config } from "../infra/config.js";
import type { Database } from "../infra/db/database.js";

/** Time comes from here so tests can move it; production uses the wall clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** What every capability needs to run; built once at start and handed down explicitly. */
export interface AppContext {
  config: Config;
  database: Database;
  logger: Logger;
  clock: Clock;
}

/** The caller behind a bearer token: a POS credential of one partner, maybe bound to one store. */
export interface Principal {
  credentialId: number;
  partnerId: number;
  storeId: number | null;
  login: string;
}
