#!/usr/bin/env node
// Usage: node scripts/dump-openapi.mjs FILE
// Builds the server in-process on a scratch embedded database (nothing listens) and writes its OpenAPI
// document to FILE, for `npm run lint:api` (Redocly) and anyone who wants the document without running
// a server. Needs `npm run build` first.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";

const out = process.argv[2];
if (!out) {
  console.error("usage: node scripts/dump-openapi.mjs FILE");
  process.exit(2);
}
const server = new URL("../packages/server/dist/", import.meta.url);
const { buildServer } = await import(new URL("app/server.js", server).href);
const { loadConfig } = await import(new URL("infra/config.js", server).href);
const { openDatabase } = await import(new URL("infra/db/database.js", server).href);
const { migrateToLatest } = await import(new URL("infra/db/migrate.js", server).href);

const dir = mkdtempSync(join(tmpdir(), "kopilka-openapi-"));
try {
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, "kopilka.db")}`,
    LOG_LEVEL: "silent",
    DEMO_DATA: "false",
  });
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database);
  const logger = pino({ level: "silent" });
  const { app } = await buildServer({ config, database, logger, clock: { now: () => Date.now() } });
  await app.ready();
  const res = await app.inject({ method: "GET", url: "/openapi.json" });
  if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}: ${res.body}`);
  writeFileSync(out, `${JSON.stringify(res.json(), null, 2)}\n`);
  await app.close();
  await database.close();
  console.error(`OpenAPI document written to ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
