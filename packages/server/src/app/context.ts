import type { Logger } from "pino";
import type { Config } from "../infra/config.js";
import type { Database } from "../infra/db/database.js";
import type { Clock } from "../kernel/clock.js";

/** What every capability needs to run; built once at start and handed down explicitly. */
export interface AppContext {
  config: Config;
  database: Database;
  logger: Logger;
  clock: Clock;
}
