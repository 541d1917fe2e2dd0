#!/usr/bin/env node
/** The `kopilka` command line: serve, migrate, load demo data, set up partners and POS credentials. */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../infra/config.js";
import { type Database, openDatabase } from "../infra/db/database.js";
import { migrateToLatest } from "../infra/db/migrate.js";
import { createLogger } from "../infra/logger.js";
import { systemClock } from "../kernel/index.js";
import { createPosCredential, setCredentialEnabled } from "../modules/auth/index.js";
import { loadDemoData } from "../modules/demo/index.js";
import { createPartner, findPartnerByCode } from "../modules/partners/index.js";
import { verifyLedger } from "../modules/points/index.js";
import { createStore, findStoreId } from "../modules/stores/index.js";
import { serve } from "./serve.js";
import { userCreate, userResetPassword } from "./user-commands.js";

const USAGE = `usage: kopilka <command> [options]

  serve                                   run the processing server (configured by environment variables)
  migrate                                 apply database migrations
  demo                                    load the demo chain into an empty database
  partner:create --code C --name N        create a partner (retail chain)
  store:create --partner C --code S --name N --timezone Europe/Moscow
  credential:create --partner C --login L [--store S] [--secret X]
                                          create a POS credential; prints the secret once
  credential:disable --login L            disable a POS credential (its tokens stop within AUTH_CACHE_TTL_MS)
  credential:enable --login L
  verify-ledger                           check that every balance equals its ledger; exit 1 if not
  user:create --email E --role R [--partner C] [--password-stdin]
                                          a cabinet user: R is owner, marketer, operator or analyst of
                                          partner C, or admin (platform administrator, no partner);
                                          prints a one-time password once, or reads the password from stdin
  user:reset-password --email E [--password-stdin]
                                          a new one-time password (or stdin's); the user's sessions end
`;

async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = openDatabase(config.databaseUrl, { poolSize: 2 });
  try {
    await migrateToLatest(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

async function partnerId(database: Database, code: string): Promise<number> {
  const row = await findPartnerByCode(database.db, code);
  if (!row) throw new UsageError(`no partner ${code}`);
  return row.id;
}

class UsageError extends Error {}

function required(values: Record<string, string | boolean | undefined>, ...names: string[]): string[] {
  const missing = names.filter((n) => !values[n]);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(", ")}`);
  return names.map((n) => values[n] as string);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      code: { type: "string" },
      name: { type: "string" },
      partner: { type: "string" },
      timezone: { type: "string" },
      login: { type: "string" },
      store: { type: "string" },
      secret: { type: "string" },
      email: { type: "string" },
      role: { type: "string" },
      "password-stdin": { type: "boolean" },
    },
    strict: true,
  });
  const now = systemClock.now();
  switch (command) {
    case "serve": {
      const config = loadConfig();
      await serve(config, createLogger(config.logLevel));
      return -1;
    }
    case "migrate":
      return withDatabase(async (db) => {
        console.log("migrations applied:", (await migrateToLatest(db)).join(", ") || "none (up to date)");
        return 0;
      });
    case "demo":
      return withDatabase(async (db) => {
        console.log(
          (await loadDemoData(db, now))
            ? "demo data loaded"
            : "the database already has partners; nothing loaded",
        );
        return 0;
      });
    case "partner:create":
      return withDatabase(async (db) => {
        const [code, name] = required(values, "code", "name");
        console.log(`partner ${code} created with id ${await createPartner(db.db, code!, name!, now)}`);
        return 0;
      });
    case "store:create":
      return withDatabase(async (db) => {
        const [partner, code, name, timezone] = required(values, "partner", "code", "name", "timezone");
        const id = await createStore(
          db.db,
          await partnerId(db, partner!),
          { code: code!, name: name!, timezone: timezone! },
          now,
        );
        console.log(`store ${code} created with id ${id}`);
        return 0;
      });
    case "credential:create":
      return withDatabase(async (db) => {
        const [partner, login] = required(values, "partner", "login");
        const pid = await partnerId(db, partner!);
        let storeId: number | null = null;
        if (values.store) {
          storeId = await findStoreId(db.db, pid, values.store);
          if (storeId === null) throw new UsageError(`no store ${values.store}`);
        }
        const created = await createPosCredential(
          db.db,
          pid,
          { login: login!, storeId, ...(values.secret ? { secret: values.secret } : {}) },
          now,
        );
        console.log(`credential ${login} created; secret (shown once): ${created.secret}`);
        return 0;
      });
    case "credential:disable":
    case "credential:enable":
      return withDatabase(async (db) => {
        const [login] = required(values, "login");
        const ok = await setCredentialEnabled(db.db, login!, command === "credential:enable", now);
        console.log(
          ok
            ? `credential ${login} ${command === "credential:enable" ? "enabled" : "disabled"}`
            : `no credential ${login}`,
        );
        return ok ? 0 : 1;
      });
    case "user:create": {
      const [email, role] = required(values, "email", "role");
      return userCreate({
        email: email!,
        role: role!,
        partner: values.partner,
        passwordFromStdin: values["password-stdin"],
      });
    }
    case "user:reset-password": {
      const [email] = required(values, "email");
      return userResetPassword({ email: email!, passwordFromStdin: values["password-stdin"] });
    }
    case "verify-ledger":
      return withDatabase(async (db) => {
        const violations = await verifyLedger(db);
        for (const v of violations) console.log(`card ${v.cardId}: ${v.problem}`);
        console.log(
          violations.length === 0
            ? "ledger ok: every balance equals its entries"
            : `${violations.length} violations`,
        );
        return violations.length === 0 ? 0 : 1;
      });
    default:
      process.stdout.write(USAGE);
      return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof UsageError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
