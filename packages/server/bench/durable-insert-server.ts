/**
 * Baseline (b): a Fastify 5 route doing one durable single-row insert into SQLite (better-sqlite3, WAL,
 * synchronous=FULL: every commit is fsynced before the answer) and returning a small JSON.
 * Run as a child process by run.ts. Env: PORT, DB_FILE.
 */
import SQLite from "better-sqlite3";
import Fastify from "fastify";

const sqlite = new SQLite(process.env.DB_FILE ?? "");
sqlite.pragma("journal_mode = WAL");
sqlite.pragma("synchronous = FULL");
sqlite.exec(
  "create table if not exists events (id integer primary key autoincrement, external_id text not null unique, kind text not null, created_at integer not null)",
);
const insert = sqlite.prepare("insert into events (external_id, kind, created_at) values (?, ?, ?)");

const app = Fastify({ logger: false });
app.post<{ Params: { id: string } }>("/v1/events/:id/confirm", async (request) => {
  const result = insert.run(request.params.id, "confirmed", Date.now());
  return { id: Number(result.lastInsertRowid), state: "confirmed" };
});
app.get("/ready", async () => ({ status: "ok" }));
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT) });
process.once(
  "SIGTERM",
  () =>
    void app.close().then(() => {
      sqlite.close();
      process.exit(0);
    }),
);
