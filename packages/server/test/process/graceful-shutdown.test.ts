/**
 * SIGTERM under load: requests the server has accepted finish with their answers, the process exits 0,
 * and every confirm it acknowledged is in the database.
 *
 * The 60 confirms go out at once, each on its own connection, before SIGTERM: the kernel has accepted every
 * connection and holds its request, but the server takes them from the accept queue one per turn of its
 * event loop, so many still wait there when the drain ends. Each must still get a whole answer. Without any
 * drain (SHUTDOWN_DRAIN_MS=0) that happens on an idle machine every time, not only on a busy one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/infra/db/database.js";
import { verifyLedger } from "../../src/modules/points/index.js";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";
import {
  killAll,
  postJson as post,
  type ServerProcess,
  startServer,
  within,
} from "../support/server-process.js";

describe.each<{ drain: string; env: Record<string, string> }>([
  { drain: "the default drain", env: {} },
  { drain: "no drain", env: { SHUTDOWN_DRAIN_MS: "0" } },
])("graceful shutdown with $drain", ({ env }) => {
  let scratch: ScratchDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    server = await startServer(scratch.url, env);
  });
  afterAll(async () => {
    await killAll();
    await scratch?.drop();
  });

  it("lets in-flight requests finish, then exits 0 with every acknowledged confirm stored", async () => {
    const auth = await post(server, "/v1/auth/token", "", { login: "demo-pos-msk-1", secret: "demo-secret" });
    const token = auth.body.accessToken as string;
    const ids = Array.from({ length: 60 }, (_, i) => `shutdown-${i}`);
    for (const id of ids) {
      const calc = await post(server, "/v1/purchases/calculate", token, {
        purchaseId: id,
        storeCode: "MSK-01",
        posCode: "POS-1",
        cardNumber: String(2_000_000_000_001 + ids.indexOf(id)),
        lines: [{ lineId: "1", sku: "SKU-00001", quantity: 1000, price: 10_000 }],
      });
      expect(calc.status).toBe(200);
    }
    let termSentAt = 0;
    const answers = await Promise.all(
      ids.map(async (id) => {
        const reply = await post(server, `/v1/purchases/${id}/confirm`, token, {});
        if (termSentAt === 0) {
          termSentAt = Date.now();
          server.child.kill("SIGTERM");
        }
        return { id, ...reply, afterTerm: Date.now() > termSentAt };
      }),
    );
    const exit = await within(15_000, "the server to exit after SIGTERM", server.exited);
    expect(exit.code).toBe(0);
    // Every request got a whole answer: the confirm, or 503 for one that arrived while closing.
    for (const a of answers) expect([200, 503], JSON.stringify(a)).toContain(a.status);
    const confirmed = answers.filter((a) => a.status === 200).map((a) => a.id);
    expect(answers.filter((a) => a.status === 200 && a.afterTerm).length).toBeGreaterThan(0);

    const database = openDatabase(scratch.url);
    try {
      const rows = await database.db
        .selectFrom("purchases")
        .select(["external_id", "state"])
        .where("external_id", "in", ids)
        .execute();
      const state = new Map(rows.map((r) => [r.external_id, r.state]));
      for (const id of confirmed) expect(state.get(id), id).toBe("confirmed");
      expect(await verifyLedger(database)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
