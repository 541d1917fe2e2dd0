/**
 * Baseline (b): a Fastify 5 route doing one durable single-row insert and returning a small JSON. Run as a
 * child process by run.ts. Env: PORT, and either DB_FILE (SQLite through better-sqlite3, WAL,
 * synchronous=FULL: every commit is fsynced before the answer) or DATABASE_URL=postgres://… (node-postgres,
 * a pool of DB_POOL_SIZE connections like the server's, synchronous_commit on: every commit waits for
 * the WAL flush).
 */
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import pg from "pg";

type Insert = (externalId: string) => Promise<number>;

async function sqliteInsert(file: string): Promise<{ insert: Insert; close: () => Promise<void> }> {
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.exec(
    "create table if not exists events (id integer primary key autoincrement, external_id text not null unique, kind text not null, created_at integer not null)",
  );
  const statement = sqlite.prepare("insert into events (external_id, kind, created_at) values (?, ?, ?)");
  return {
    insert: async (externalId) => Number(statement.run(externalId, "confirmed", Date.now()).lastInsertRowid),
    close: async () => {
      sqlite.close();
    },
  };
}

async function postgresInsert(url: string): Promise<{ insert: Insert; close: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DB_POOL_SIZE ?? 10) });
  // The server may turn synchronous commit off for soft state; the baseline is a durable write.
  pool.on("connect", (client) => void client.query("set synchronous_commit = on"));
  pool.on("error", () => {});
  await pool.query(
    "create table if not exists bench_baseline_events (id bigserial primary key, external_id text not null unique, kind text not null, created_at bigint not null)",
  );
  return {
    insert: async (externalId) => {
      const result = await pool.query<{ id: string }>({
        name: "bench-baseline-insert",
        text: "insert into bench_baseline_events (external_id, kind, created_at) values ($1, $2, $3) returning id",
        values: [externalId, "confirmed", Date.now()],
      });
      return Number(result.rows[0]?.id);
    },
    close: () => pool.end(),
  };
}

const url = process.env.DATABASE_URL;
const store = url?.startsWith("postgres")
  ? await postgresInsert(url)
  : await sqliteInsert(process.env.DB_FILE ?? "");

const app = Fastify({ logger: false });
app.post<{ Params: { id: string } }>("/v1/events/:id/confirm", async (request) => ({
  id: await store.insert(request.params.id),
  state: "confirmed",
}));
app.get("/ready", async () => ({ status: "ok" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once(
  "SIGTERM",
  () =>
    void app
      .close()
      .then(() => store.close())
      .then(() => process.exit(0)),
);
