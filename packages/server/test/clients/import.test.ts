import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectDelimiter, detectEncoding, importFile, parseHundredths } from "../../src/cli/imports.js";
import { upsertCards } from "../../src/modules/cards/index.js";
import { createProgram } from "../../src/modules/programs/index.js";
import { countRows } from "../support/clients.js";
import {
  call,
  expectLedgerBalanced,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  writeCounts,
} from "../support/harness.js";
import { MAIN_JS } from "../support/server-process.js";

let t: TestApp;
let p: SeededPartner;
let dir: string;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  dir = mkdtempSync(join(tmpdir(), "kopilka-import-"));
  const other = await createProgram(
    t.database.db,
    p.partnerId,
    { code: "other", name: "Other" },
    t.clock.now(),
  );
  await upsertCards(t.database, p.partnerId, other, [{ number: "OTHER-1" }], t.clock.now());
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, content: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

const importCards = (file: string, chunk: number | null = null) =>
  importFile("cards", t.database, null, {
    file,
    partnerId: p.partnerId,
    programId: p.programId,
    chunk,
    now: t.clock.now(),
  });

const BAD_FILE = [
  "number,status,level,balance",
  "IMP-1,active,,10.50",
  ",active,,",
  "IMP-2,lost,,",
  "IMP-3,,gold,12.345",
  "IMP-1,,,",
  "OTHER-1,,,",
  "IMP-4,blocked,silver,0",
  "",
].join("\n");

describe("import of cards", () => {
  it("reports every bad row with its line and reason, and applies nothing of the file", async () => {
    const file = write("bad.csv", BAD_FILE);
    const before = await writeCounts(t);
    const summary = await importCards(file);
    expect(summary).toMatchObject({
      rows: 7,
      applied: 0,
      rejected: 5,
      rolledBackChunks: 1,
      encoding: "utf-8",
      delimiter: ",",
    });
    expect(await writeCounts(t)).toEqual(before);
    expect(readFileSync(summary.reportFile!, "utf8")).toBe(
      [
        "\ufeffline;reason",
        '3;"number is empty"',
        '4;"status ""lost"" is not active, blocked or accrual_only"',
        '5;"balance ""12.345"" is not an amount like 1234,50"',
        '6;"number IMP-1 repeats an earlier row"',
        '7;"card OTHER-1 belongs to another program"',
        "",
      ].join("\n"),
    );
  });

  it("with --chunk, applies the chunks without a rejected row and rolls back the others", async () => {
    const file = write("bad-chunks.csv", BAD_FILE);
    const summary = await importCards(file, 2);
    // Chunks: [IMP-1, empty] [IMP-2 lost, IMP-3 bad] [IMP-1 dup, OTHER-1] [IMP-4]
    expect(summary).toMatchObject({ rows: 7, applied: 1, created: 1, rejected: 5, rolledBackChunks: 3 });
    expect((await call(t, "GET", "/v1/cards/IMP-4", { token: p.tokens.any })).json()).toMatchObject({
      status: "blocked",
      level: "silver",
    });
    expect((await call(t, "GET", "/v1/cards/IMP-1", { token: p.tokens.any })).statusCode).toBe(404);
  });

  it("reads a Windows-1251 file with semicolons and Russian headers; opening balances go through the ledger", async () => {
    const content =
      "Номер;Статус;Уровень;Баланс\r\nRU-1;активна;Золото;1 234,50\r\nRU-2;заблокирована;Серебро;\r\n";
    const file = write("cp1251.csv", iconv.encode(content, "windows-1251"));
    const summary = await importCards(file);
    expect(summary).toMatchObject({
      rows: 2,
      applied: 2,
      created: 2,
      rejected: 0,
      encoding: "windows-1251",
      delimiter: ";",
    });
    expect(summary.reportFile).toBeNull();
    const ru1 = (await call(t, "GET", "/v1/cards/RU-1", { token: p.tokens.any })).json();
    expect(ru1).toMatchObject({ level: "Золото", status: "active", balance: { active: 123_450 } });
    expect((await call(t, "GET", "/v1/cards/RU-2", { token: p.tokens.any })).json().status).toBe("blocked");
    const ledger = (await call(t, "GET", "/v1/cards/RU-1/ledger", { token: p.tokens.any })).json().entries;
    expect(ledger).toMatchObject([
      { kind: "adjustment", activeDelta: 123_450, note: "opening balance (import)" },
    ]);
    // Importing the same file again changes nothing: the balance is not booked twice.
    const again = await importCards(file);
    expect(again).toMatchObject({ applied: 2, created: 0, updated: 2 });
    expect((await call(t, "GET", "/v1/cards/RU-1", { token: p.tokens.any })).json().balance.active).toBe(
      123_450,
    );
    await expectLedgerBalanced(t);
  });
});

describe("import of products and clients", () => {
  it("reads a UTF-8 file with a BOM and semicolons", async () => {
    const file = write(
      "products.csv",
      "\ufeffsku;name;category;min_price\nBOM-1;Аспирин «Бодрость»;medicines;12,50\n",
    );
    const summary = await importFile("products", t.database, null, {
      file,
      partnerId: p.partnerId,
      programId: null,
      chunk: null,
      now: t.clock.now(),
    });
    expect(summary).toMatchObject({ rows: 1, applied: 1, rejected: 0, encoding: "utf-8", delimiter: ";" });
    const product = (await call(t, "GET", "/v1/products/BOM-1", { token: p.tokens.any })).json();
    expect(product).toMatchObject({ name: "Аспирин «Бодрость»", minPrice: 1250 });
  });

  it("imports clients with normalized phones; a known login is left alone; a bad phone is rejected", async () => {
    await upsertCards(t.database, p.partnerId, p.programId, [{ number: "CL-1" }], t.clock.now());
    const file = write(
      "clients.csv",
      "ФИО;Телефон;Почта;Дата рождения;Карта\n" +
        "Мария;8 (916) 400-00-01;Maria@Example.RU;01.02.1985;CL-1\n" +
        "Мария дубль;+79164000001;;;\n" +
        "Пётр;12345;;;\n",
    );
    const clientsBefore = await countRows(t, "clients");
    const summary = await importFile("clients", t.database, t.server.services.clients, {
      file,
      partnerId: p.partnerId,
      programId: p.programId,
      chunk: 1,
      now: t.clock.now(),
    });
    expect(summary).toMatchObject({ rows: 3, applied: 2, created: 1, updated: 1, rejected: 1 });
    expect(readFileSync(summary.reportFile!, "utf8")).toContain('4;"INVALID_PHONE:');
    expect(await countRows(t, "clients")).toBe(clientsBefore + 1);
    const found = await call(t, "POST", "/v1/identifications", {
      token: p.tokens.store,
      payload: { phone: "9164000001" },
    });
    expect(found.json().cards).toMatchObject([{ number: "CL-1" }]);
    const client = await t.server.services.clients.view(p.partnerId, found.json().cards[0].clientId, {
      reveal: true,
    });
    expect(client).toMatchObject({
      name: "Мария",
      phone: "+79164000001",
      email: "maria@example.ru",
      birthDate: "1985-02-01",
    });
  });
});

describe("import helpers", () => {
  it("detects encodings and separators; parses amounts without floating point", () => {
    expect(detectEncoding(Buffer.from("\ufeffa;b", "utf8"))).toBe("utf-8");
    expect(detectEncoding(Buffer.from("номер;статус", "utf8"))).toBe("utf-8");
    expect(detectEncoding(iconv.encode("номер;статус", "windows-1251"))).toBe("windows-1251");
    expect(detectDelimiter("a;b;c")).toBe(";");
    expect(detectDelimiter("a,b,c")).toBe(",");
    expect(detectDelimiter("a\tb")).toBe("\t");
    expect(parseHundredths("1 234,5", "x")).toBe(123_450);
    expect(parseHundredths("0.07", "x")).toBe(7);
    expect(parseHundredths("19.99", "x")).toBe(1999);
    expect(() => parseHundredths("-1", "x")).toThrow();
  });

  it("the command explains itself, including what is atomic", () => {
    const help = spawnSync(process.execPath, [MAIN_JS, "import", "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--chunk <rows>");
    expect(help.stdout).toContain("without --chunk the whole file is one transaction");
    const missing = spawnSync(process.execPath, [MAIN_JS, "import", "cards"], {
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: t.config.databaseUrl },
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/required|missing/);
  });
});
