/**
 * `kopilka-pos reconcile` against a real server: a receipt whose confirm stopped in the outbox (the
 * network went down after the fiscal receipt, and the till was closed before it came back) is found as a
 * purchase the server has only calculated; `--fix` lands it, and the server then has it confirmed. A
 * sale of this till the journal does not know is listed too. The journal is the emulator's own SQLite file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KopilkaClient } from "@kopilka/pos-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO,
  type ScratchDatabase,
  type ServerProcess,
  scratchDatabase,
  startServer,
  stopAllServers,
} from "../../../packages/pos-sdk/test/support/server.js";
import { kopilkaPos } from "./support.js";

/** Each test starts kopilka-pos several times; on a busy two-core machine that takes a while. */
const SLOW = 150_000;

let db: ScratchDatabase;
let server: ServerProcess;
let client: KopilkaClient;

beforeAll(async () => {
  db = await scratchDatabase();
  server = await startServer(db);
  client = new KopilkaClient({ baseUrl: server.base, login: DEMO.login, secret: DEMO.secret });
});

afterAll(async () => {
  await stopAllServers();
  await db?.drop();
});

/** Today in the store's zone (MSK-01 is in Moscow), as the server counts the day. */
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(new Date());

const till = (outbox: string) => ["--url", server.base, "--outbox", join(db.dir, outbox), "--pos", "POS-R"];

function scenario(name: string, steps: string[]): string {
  const file = join(db.dir, name);
  writeFileSync(
    file,
    ["allowMessagesToCashier: false", "steps:", ...steps.map((s) => `  - ${s}`)].join("\n"),
  );
  return file;
}

describe("kopilka-pos reconcile", () => {
  it(
    "finds a confirm the server does not have, and --fix lands it",
    async () => {
      const sale = [
        'scan: { sku: SKU-00003, qty: 1, price: "450.00" }',
        'card: "2000000000021"',
        "payment: true",
      ];
      // One sale that lands, then one whose confirm is stuck: the network is down when it is printed.
      const file = scenario("day.yaml", [
        ...sale,
        "pay: {}",
        'receipt: "000002"',
        ...sale,
        "network: down",
        "pay: {}",
      ]);
      const played = await kopilkaPos(["run", file, ...till("till.db")]);
      expect(played.code, played.stderr).toBe(0);
      expect(played.stdout).toContain("[Чек закрыт] подтверждено сервером");
      expect(played.stdout).toContain("[Чек закрыт] подтверждение в очереди");
      const stuck = "MSK-01-POS-R-000002.1";
      expect((await client.purchase(stuck)).state).toBe("calculated");

      const found = await kopilkaPos(["reconcile", "--day", today(), ...till("till.db")]);
      expect(found.code, found.stderr).toBe(1);
      expect(found.stderr).toBe("");
      expect(found.stdout).toContain(
        `reconcile ${today()} (Europe/Moscow) MSK-01/POS-R: journal 2 receipt(s), server 1 sale(s), 1 difference(s)`,
      );
      expect(found.stdout).toContain(`  state ${stuck}: till: printed; server: calculated`);

      const fixed = await kopilkaPos(["reconcile", "--day", today(), "--fix", ...till("till.db")]);
      expect(fixed.stderr).toBe("");
      expect(fixed.code).toBe(0);
      expect(fixed.stdout).toContain(`fix ${stuck}: delivered`);
      expect(fixed.stdout).toMatch(
        /after the fix:\nreconcile \S+ \(Europe\/Moscow\) MSK-01\/POS-R: journal 2 receipt\(s\), server 2 sale\(s\), 0 difference\(s\)/,
      );
      expect((await client.purchase(stuck)).state).toBe("confirmed");
      // The till's outbox agrees: nothing waits any more.
      const outbox = await kopilkaPos(["outbox", ...till("till.db")]);
      expect(outbox.stdout).not.toMatch(/в очереди|подвисшая/);

      const clean = await kopilkaPos(["reconcile", "--day", today(), ...till("till.db")]);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toContain("0 difference(s)");
    },
    SLOW,
  );

  it(
    "lists a sale of this till that its journal does not know, and other days are empty",
    async () => {
      // Another journal on the same POS code (a till reinstalled with a fresh disk) sells receipt 900.
      const other = scenario("other.yaml", [
        'receipt: "000900"',
        'scan: { sku: SKU-00003, qty: 1, price: "450.00" }',
        'card: "2000000000022"',
        "payment: true",
        "pay: {}",
      ]);
      expect((await kopilkaPos(["run", other, ...till("fresh.db")])).code).toBe(0);
      const r = await kopilkaPos(["reconcile", "--day", today(), "--fix", ...till("till.db")]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("  unknown MSK-01-POS-R-000900.1: till: no receipt; server: confirmed");
      // Nothing of the till's to send: --fix leaves what is for people alone.
      expect(r.stdout).not.toContain("fix MSK-01");

      const empty = await kopilkaPos(["reconcile", "--day", "2020-01-01", ...till("till.db")]);
      expect(empty.code).toBe(0);
      expect(empty.stdout).toContain("journal 0 receipt(s), server 0 sale(s), 0 difference(s)");
      const bad = await kopilkaPos(["reconcile", "--day", "2026-02-30", ...till("till.db")]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--day must be a date YYYY-MM-DD, not "2026-02-30"');
    },
    SLOW,
  );
});
