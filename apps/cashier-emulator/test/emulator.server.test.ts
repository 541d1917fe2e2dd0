/**
 * kopilka-pos against a real server: the shipped scenarios print what the cashier sees, in Russian; and a
 * kill -9 of the POS during a confirm leaves nothing hanging once it restarts and drains its outbox.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KopilkaClient } from "@kopilka/pos-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultProxy } from "../../../packages/pos-sdk/test/support/fault-proxy.js";
import {
  DEMO,
  type ScratchDatabase,
  type ServerProcess,
  scratchDatabase,
  startServer,
  stopAllServers,
} from "../../../packages/pos-sdk/test/support/server.js";
import { kopilkaPos, SCENARIOS, start } from "./support.js";

let db: ScratchDatabase;
let server: ServerProcess;
let proxy: FaultProxy;
let client: KopilkaClient;

beforeAll(async () => {
  db = await scratchDatabase();
  server = await startServer(db);
  proxy = await FaultProxy.start(server.base);
  client = new KopilkaClient({ baseUrl: server.base, login: DEMO.login, secret: DEMO.secret });
});

afterAll(async () => {
  await proxy?.close();
  await stopAllServers();
  await db?.drop();
});

/** Each till its own POS code and outbox: receipt numbers, and so purchase ids, are per POS. */
const args = (outbox: string, url = server.base) => [
  "--url",
  url,
  "--outbox",
  join(db.dir, outbox),
  "--pos",
  `POS-${outbox.replace(/\W/g, "")}`,
];

describe("script mode", () => {
  it("a sale with points: the message, the payment screen, the printed receipt, the confirm", async () => {
    const r = await kopilkaPos(["run", join(SCENARIOS, "sale-with-points.yaml"), ...args("sale.db")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[Товары] карта 2000000000002: доступно 1 916 баллов");
    expect(r.stdout).toContain("[Товары] сообщение: ");
    expect(r.stdout).toContain("[Оплата] оплачено баллами 500 баллов");
    expect(r.stdout).toContain("-------- ЧЕК --------");
    expect(r.stdout).toContain("[Чек закрыт] подтверждено сервером");
    expect(r.stdout).toContain("[Чек закрыт] баланс карты 1 416 баллов");
    expect(r.stdout).not.toContain("[Ошибка]");
  });

  it("a refund by the original receipt, part then the rest", async () => {
    const r = await kopilkaPos(["run", join(SCENARIOS, "refund.yaml"), ...args("refund.db")]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/\[Возврат\] возвращено /g)).toHaveLength(2);
    expect(r.stdout).not.toContain("[Ошибка]");
    expect((await client.card("2000000000003")).balance.held).toBe(0);
  });

  it("a confirm that fails with the network down lands when it is back", async () => {
    const r = await kopilkaPos(["run", join(SCENARIOS, "late-confirm.yaml"), ...args("late.db")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[Чек закрыт] подтверждение в очереди");
    expect(r.stdout).toMatch(/\[Очередь\] confirm \S+: подтверждено сервером/);
    expect(r.stdout).toContain("[Очередь] в очереди 0");
  });

  it("registration and identification by phone, then a sale with the found card", async () => {
    const file = join(db.dir, "registration.yaml");
    writeFileSync(
      file,
      readFileSync(join(SCENARIOS, "registration.yaml"), "utf8").replaceAll(
        "./data/codes.log",
        join(db.dir, "codes.log"),
      ),
    );
    const r = await kopilkaPos(["run", file, ...args("reg.db")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[Клиент\] клиент зарегистрирован, №\d+/);
    expect(r.stdout).toContain("[Клиент] выбрана карта 2000000000005");
    expect(r.stdout).toContain("[Чек закрыт] подтверждено сервером");
  });

  it("English on request, and a scenario mistake is one line and exit 1", async () => {
    const en = await kopilkaPos([
      "run",
      join(SCENARIOS, "sale-with-points.yaml"),
      ...args("en.db"),
      "--lang",
      "en",
    ]);
    expect(en.stdout).toContain("[Goods] card 2000000000002");
    const bad = join(db.dir, "bad.yaml");
    writeFileSync(bad, "steps:\n  - dance: true\n");
    const r = await kopilkaPos(["run", bad, ...args("bad.db")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kopilka-pos: step 1: expected one of/);
  });

  it("loyalty.ini with allowMessagesToCashier=false hides the message", async () => {
    const ini = join(db.dir, "loyalty.ini");
    copyFileSync(join(SCENARIOS, "..", "loyalty.ini"), ini);
    writeFileSync(
      ini,
      readFileSync(ini, "utf8").replace("allowMessagesToCashier = true", "allowMessagesToCashier = false"),
    );
    const scenario = join(db.dir, "one-payment.yaml");
    writeFileSync(
      scenario,
      'steps:\n  - scan: { sku: SKU-00003, qty: 2, price: "450.00" }\n  - card: "2000000000007"\n  - payment: true\n  - pay: {}\n',
    );
    const r = await kopilkaPos(["run", scenario, "--config", ini, ...args("ini.db")]);
    expect(r.stdout).not.toContain("сообщение:");
    expect(r.stdout).toContain("[Чек закрыт] подтверждено сервером");
  });
});

describe("kill -9 of the POS during a confirm", () => {
  const scenario = () => {
    const file = join(db.dir, "kill.yaml");
    writeFileSync(
      file,
      'allowMessagesToCashier: false\nsteps:\n  - scan: { sku: SKU-00003, qty: 2, price: "450.00" }\n  - card: "2000000000011"\n  - payment: true\n  - spend: 100\n  - pay: {}\n',
    );
    return file;
  };

  for (const [when, fault] of [
    ["before the server got it", { kind: "delay", ms: 20_000 }],
    ["after the server committed, before the answer", { kind: "hold-answer", ms: 20_000 }],
  ] as const) {
    it(when, async () => {
      const outbox = `kill-${fault.kind}.db`;
      proxy.inject("POST", /\/confirm$/, fault);
      const arrived = proxy.arrival(/\/confirm$/);
      const pos = start(["run", scenario(), ...args(outbox, proxy.base)]);
      await Promise.race([
        arrived,
        pos.done.then((r) => Promise.reject(new Error(`the POS ended first:\n${r.stdout}${r.stderr}`))),
      ]);
      if (fault.kind === "hold-answer") {
        // Wait until the server has answered the proxy (committed).
        for (let i = 0; i < 100 && proxy.seen.at(-1)?.status == null; i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(proxy.seen.at(-1)?.status).toBe(200);
      }
      pos.child.kill("SIGKILL");
      const killed = await pos.done;
      expect(killed.signal).toBe("SIGKILL");
      const purchaseId = /confirm (\S+)/.exec(killed.stdout)?.[1];
      expect(killed.stdout).not.toContain("[Чек закрыт]");

      // The POS starts again and drains its outbox.
      const drained = await kopilkaPos(["drain", ...args(outbox)]);
      expect(drained.code).toBe(0);
      const id = purchaseId ?? /confirm (\S+):/.exec(drained.stdout)?.[1];
      expect(id).toBeDefined();
      expect(drained.stdout).toContain("подтверждено сервером");
      expect((await client.purchase(id!)).state).toBe("confirmed");
      const { entries } = await client.cardLedger("2000000000011", 500);
      expect(
        entries
          .filter((e) => e.purchaseId === id)
          .map((e) => e.kind)
          .sort(),
      ).toEqual(["accrual", "spend"]);
      const again = await kopilkaPos(["outbox", ...args(outbox)]);
      expect(again.stdout).not.toMatch(/в очереди|подвисшая/);
    });
  }
});
