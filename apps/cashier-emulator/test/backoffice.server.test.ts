/**
 * The back office's night uploads against a real server: `kopilka-pos upload stores|stock|sellout` sends
 * the accounting system's CSV and the server has it (read back through the API); a bad file names every
 * bad line and sends nothing; `kopilka-pos schedule` runs a job on an every-second cron and stops by
 * itself; the send log has one line per run and no phone or secret.
 */
import { readFileSync, writeFileSync } from "node:fs";
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
/** The accounting system's credential: any store of the chain, and the store list itself. */
let accounting: KopilkaClient;
const ACCOUNTING = { login: "demo-accounting", secret: DEMO.secret };

beforeAll(async () => {
  db = await scratchDatabase();
  server = await startServer(db);
  accounting = new KopilkaClient({ baseUrl: server.base, ...ACCOUNTING });
});

afterAll(async () => {
  await stopAllServers();
  await db?.drop();
});

const as = (login = ACCOUNTING.login) => [
  "--url",
  server.base,
  "--login",
  login,
  "--secret",
  DEMO.secret,
  "--lang",
  "en",
];
const file = (name: string, text: string | Buffer) => {
  const path = join(db.dir, name);
  writeFileSync(path, text);
  return path;
};
const get = async <T>(path: string) => (await accounting.request<T>("purchase", "GET", path)).body;

const STORES = [
  "код;адрес;название;часовой пояс;бренд;телефоны;кассы;скрыта",
  "SPB-07;Невский, 1;Аптека на Невском;Europe/Moscow;Аптека+;+7 812 555-01-02;SPB7-1 SPB7-2;нет",
  'EKB-02;"Ленина, 5";Аптека на Ленина;Asia/Yekaterinburg;Аптека+;+7 343 555-03-04;EKB2-1;да',
].join("\n");

describe("kopilka-pos upload", () => {
  it(
    "stores: the list goes in, and the send log has the counts without phones",
    async () => {
      const log = join(db.dir, "send.log");
      const r = await kopilkaPos(["upload", "stores", file("stores.csv", STORES), "--log", log, ...as()]);
      expect(r.stderr).not.toMatch(/refused|error/i);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("sent 2 rows (stores 2, created 2, updated 0, removed 0, posIds 3)");
      const spb = await get<Record<string, unknown>>("/v1/stores/SPB-07");
      expect(spb).toMatchObject({
        code: "SPB-07",
        address: "Невский, 1",
        name: "Аптека на Невском",
        brand: "Аптека+",
        phones: "+7 812 555-01-02",
        posIds: ["SPB7-1", "SPB7-2"],
        hidden: false,
      });
      expect(await get("/v1/stores/EKB-02")).toMatchObject({ timezone: "Asia/Yekaterinburg", hidden: true });
      const lines = readFileSync(log, "utf8").trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^\d{4}-\d\d-\d\dT[\d:.]+Z\tupload\tstores\t\S+stores\.csv\tread=2\tsent=2\tok stores=2 created=2 updated=0 removed=0 posIds=3$/,
      );
      expect(lines[0]).not.toContain("555");
      expect(lines[0]).not.toContain(DEMO.secret);
    },
    SLOW,
  );

  it(
    "stock: rubles with a comma or a dot and packs in thousandths, one store's rows replacing its stock",
    async () => {
      // A BOM, commas in numbers, spaces between thousands, two stores in one file.
      const csv = [
        "\ufeffАптека;Штрихкод;Код маркировки;Серия;Наименование;Цена;Количество",
        "SPB-07;4600000000011;;;Аспирин;123,45;2,5",
        "SPB-07;4600000000011;;L2;Аспирин;1 234.5;3",
        "SPB-07;;0104600000000028215abc;;Витамин C;0,1;0,001",
        "EKB-02;4600000000011;;;Аспирин;99;10",
      ].join("\r\n");
      const r = await kopilkaPos(["upload", "stock", file("stock.csv", csv), ...as()]);
      expect(r.stderr).not.toMatch(/refused|error/i);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("sent 4 rows (rows 4)");
      const { items } = await get<{ items: Record<string, unknown>[] }>("/v1/stores/SPB-07/stock");
      const byCode = (a: Record<string, unknown>, b: Record<string, unknown>) =>
        String(a.productCode).localeCompare(String(b.productCode)) ||
        String(a.lot ?? "").localeCompare(String(b.lot ?? ""));
      expect(items.map(({ uploadedAt: _, ...i }) => i).sort(byCode)).toEqual([
        {
          barcode: "4600000000011",
          qrCode: null,
          lot: null,
          productCode: "4600000000011",
          name: "Аспирин",
          price: 12_345,
          amount: 2_500,
        },
        {
          barcode: "4600000000011",
          qrCode: null,
          lot: "L2",
          productCode: "4600000000011",
          name: "Аспирин",
          price: 123_450,
          amount: 3_000,
        },
        {
          barcode: null,
          qrCode: "0104600000000028215abc",
          lot: null,
          productCode: "4600000000028",
          name: "Витамин C",
          price: 10,
          amount: 1,
        },
      ]);
      expect((await get<{ items: unknown[] }>("/v1/stores/EKB-02/stock")).items).toHaveLength(1);

      // A file of one store without a store column, by a till's own credential, replaces that stock.
      const own = "barcode,name,price,amount\n4600000000011,Aspirin,150.00,1\n";
      const mine = await kopilkaPos([
        "upload",
        "stock",
        file("own.csv", own),
        "--for-store",
        "MSK-01",
        ...as(DEMO.login),
      ]);
      expect(mine.code).toBe(0);
      const msk = await get<{ items: { price: number; amount: number }[] }>("/v1/stores/MSK-01/stock");
      expect(msk.items.map((i) => [i.price, i.amount])).toEqual([[15_000, 1_000]]);
    },
    SLOW,
  );

  it(
    "sellout: lines go in once, and again is the same",
    async () => {
      const csv = [
        "store;voucher;line;sold_at;barcode;name;price;quantity;discount;sum_to_pay;card;transaction;fn;fd;fpd",
        "SPB-07;R-1;1;2026-11-20T12:00:00+03:00;4600000000011;Aspirin;150,00;2;30,00;270,00;2000000000002;main;9999078900004792;1;2",
        "SPB-07;R-1;2;2026-11-20T12:00:00+03:00;4600000000011;Aspirin;100,01;1,5;0;150,02;;;;;",
      ].join("\n");
      const path = file("sellout.csv", csv);
      const first = await kopilkaPos(["upload", "sellout", path, ...as()]);
      expect(first.stderr).not.toMatch(/refused|error/i);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("sent 2 rows (lines 2)");
      const again = await kopilkaPos(["upload", "sellout", path, ...as()]);
      expect(again.stdout).toContain("sent 2 rows (lines 2)");
      // Read back through the cabinet's sell-out report (the POS API has no read of sell-out).
      const login = await fetch(`${server.base}/admin/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "owner@demo.kopilka", password: "demo-password", session: "bearer" }),
      });
      const { token } = (await login.json()) as { token: string };
      const report = await fetch(
        `${server.base}/admin/v1/partners/demo/reports/sellout?from=2026-11-20&to=2026-11-20&storeCode=SPB-07`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(report.status).toBe(200);
      const { tables } = (await report.json()) as { tables: { rows: Record<string, unknown>[] }[] };
      expect(tables[0]!.rows).toEqual([
        expect.objectContaining({
          storeCode: "SPB-07",
          productCode: "4600000000011",
          fullPricePacks: 1_500,
          fullPriceSum: 15_002,
          discountedPacks: 2_000,
          discountedDiscount: 3_000,
          discountedToPay: 27_000,
        }),
      ]);
    },
    SLOW,
  );

  it(
    "a bad file is refused whole: every bad line named with its column, nothing sent",
    async () => {
      const before = await get<{ items: unknown[] }>("/v1/stores/EKB-02/stock");
      const csv = [
        "store;barcode;name;price;amount",
        "EKB-02;4600000000011;Aspirin;10,00;1",
        "EKB-02;4600000000028;Vitamin;12,345;1",
        "EKB-02;;Nothing;1;1",
        "EKB-02;4600000000035;Cream;1e400;-2",
        "EKB-02;4600000000011;Aspirin again;1;1",
        "EKB-02;4600000000042;Good;5;5",
      ].join("\n");
      const log = join(db.dir, "bad.log");
      const r = await kopilkaPos(["upload", "stock", file("bad-stock.csv", csv), "--log", log, ...as()]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("refused, nothing sent: 5 bad line(s)");
      expect(r.stderr).toContain('line 3, price: "12,345" is more than 2 decimals');
      expect(r.stderr).toContain("line 4, barcode: a barcode or a DataMatrix code (qr_code) is needed");
      expect(r.stderr).toContain('line 5, price: "1e400" is too large');
      expect(r.stderr).toContain('line 5, amount: "-2" is negative');
      expect(r.stderr).toContain("line 6, barcode: the same product and lot is already on line 2");
      expect(await get("/v1/stores/EKB-02/stock")).toEqual(before);
      expect(readFileSync(log, "utf8")).toMatch(
        /\tread=6\tsent=0\trefused BAD_CSV 5 bad: 3\(price\) 4\(barcode\) 5\(price\) 5\(amount\) 6\(barcode\)\n$/,
      );

      // An unknown store is found before anything is sent, though its rows are well formed.
      const unknown =
        "store;barcode;name;price;amount\nEKB-02;4600000000011;A;1;1\nNOWHERE;4600000000011;A;1;1\n";
      const u = await kopilkaPos(["upload", "stock", file("unknown.csv", unknown), ...as()]);
      expect(u.code).toBe(2);
      expect(u.stderr).toMatch(/line 3, store: store NOWHERE: STORE_NOT_FOUND/);
      expect(await get("/v1/stores/EKB-02/stock")).toEqual(before);

      // Sell-out: the sum is checked as the server checks it, and a header without a column is named once.
      const sums = [
        "store;voucher;line;sold_at;barcode;name;price;quantity;discount;sum_to_pay",
        "SPB-07;R-9;1;2026-11-20T12:00:00+03:00;4600000000011;A;150,00;2;30,00;270,01",
        "SPB-07;R-9;2;2026-11-20 12:00;4600000000011;A;1;1;0;1",
      ].join("\n");
      const s = await kopilkaPos(["upload", "sellout", file("bad-sellout.csv", sums), ...as()]);
      expect(s.code).toBe(2);
      expect(s.stderr).toContain("line 2, sum_to_pay: should be price × quantity − discount = 270,00");
      expect(s.stderr).toContain('line 3, sold_at: "2026-11-20 12:00" is not a date and time with an offset');
      const header = await kopilkaPos([
        "upload",
        "stores",
        file("no-address.csv", "code;name\nX-1;x\n"),
        ...as(),
      ]);
      expect(header.code).toBe(2);
      expect(header.stderr).toContain("line 1, address: the header has no column address");
    },
    SLOW,
  );

  it(
    "a server refusal names the file's line; a store-bound till may not upload the store list",
    async () => {
      const r = await kopilkaPos(["upload", "stores", file("stores-again.csv", STORES), ...as(DEMO.login)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^stores \S+: FORBIDDEN: /m);
      const bad = await kopilkaPos(["upload", "sellout", file("missing.csv", "nothing"), ...as()]);
      expect(bad.code).toBe(2);
      const gone = await kopilkaPos(["upload", "stock", join(db.dir, "no-such.csv"), ...as()]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain("FILE_NOT_FOUND");
      const usage = await kopilkaPos(["upload", "prices", file("x.csv", "a\n1\n"), ...as()]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('the kind is stores, stock, sellout, not "prices"');
    },
    SLOW,
  );
});

describe("kopilka-pos schedule", () => {
  it(
    "runs a job on an every-second cron, logs each run, and stops by itself",
    async () => {
      const stock = file("night-stock.csv", "barcode;name;price;amount\n4600000000059;Night;7,77;7\n");
      const jobs = file(
        "jobs.yaml",
        [
          "log: ./night.log",
          "timezone: Europe/Moscow",
          "jobs:",
          "  - name: stock-vvo",
          '    cron: "* * * * * *"',
          "    upload: stock",
          `    file: ${stock}`,
          "    store: VVO-01",
          "  - name: never",
          '    cron: "0 0 1 1 *"',
          "    upload: stores",
          "    file: ./stores.csv",
        ].join("\n"),
      );
      const started = Date.now();
      const r = await kopilkaPos(["schedule", jobs, "--max-runs", "2", "--stop-after", "30", ...as()]);
      expect(r.code, r.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.stderr).toContain("schedule: stopped after 2 run(s)");
      const lines = readFileSync(join(db.dir, "night.log"), "utf8").trim().split("\n");
      expect(lines).toHaveLength(2);
      for (const line of lines)
        expect(line).toMatch(/\tstock-vvo\tstock\t\S+night-stock\.csv\tread=1\tsent=1\tok rows=1$/);
      const { items } = await get<{ items: { price: number; amount: number }[] }>("/v1/stores/VVO-01/stock");
      expect(items.map((i) => [i.price, i.amount])).toEqual([[777, 7_000]]);
    },
    SLOW,
  );

  it(
    "a jobs file with a mistake is refused at start, naming the job",
    async () => {
      const jobs = file(
        "bad-jobs.yaml",
        'log: ./x.log\njobs:\n  - name: a\n    cron: "61 * * * *"\n    upload: stock\n    file: ./a.csv\n',
      );
      const r = await kopilkaPos(["schedule", jobs, "--stop-after", "5", ...as()]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/job 1 \(a\): cron "61 \* \* \* \*" is not a cron expression/);
    },
    SLOW,
  );
});
