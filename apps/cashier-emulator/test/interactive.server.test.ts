/**
 * The interactive till in a real terminal: tmux runs `kopilka-pos` against a real server, the test types
 * as a cashier does (keys, Enter) and reads the screen. A sale with a card, a price asked for, points
 * spent and the receipt confirmed; a client registered with the code asked at the prompt; a refund of the
 * receipt by its number; Ctrl-D ends the session.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { KopilkaClient } from "@kopilka/pos-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO,
  lastCode,
  type ScratchDatabase,
  type ServerProcess,
  scratchDatabase,
  sleep,
  startServer,
  stopAllServers,
} from "../../../packages/pos-sdk/test/support/server.js";
import { parsePriceList } from "../src/interactive.js";
import { POS_MAIN } from "./support.js";

const run = promisify(execFile);
const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));
const hasTmux = await run("tmux", ["-V"]).then(
  () => true,
  () => false,
);
/** CI sets REQUIRE_TMUX=1: there a missing tmux fails the test instead of skipping it. */
const tmuxRequired = process.env.REQUIRE_TMUX === "1";
if (!hasTmux && !tmuxRequired)
  console.warn("SKIPPED the interactive till's terminal test: tmux is missing (apt-get install tmux)");

/** One tmux server of its own (its own socket), one window running the till. */
class Terminal {
  private constructor(private readonly socket: string) {}

  static async open(socket: string, command: string[]): Promise<Terminal> {
    const t = new Terminal(socket);
    await t.tmux("new-session", "-d", "-s", "till", "-x", "150", "-y", "60", ...command);
    await t.tmux("set-option", "-t", "till", "remain-on-exit", "on");
    return t;
  }

  private tmux(...args: string[]) {
    return run("tmux", ["-L", this.socket, ...args], { env: { ...process.env, LANG: "C.UTF-8" } });
  }

  /** Types the text and presses Enter (`-l`: the text literally, not as key names). */
  async type(text: string): Promise<void> {
    await this.tmux("send-keys", "-t", "till", "-l", text);
    await this.tmux("send-keys", "-t", "till", "Enter");
  }

  async key(name: string): Promise<void> {
    await this.tmux("send-keys", "-t", "till", name);
  }

  /** The whole scrollback as plain text (no-break spaces as spaces). */
  async screen(): Promise<string> {
    const { stdout } = await this.tmux("capture-pane", "-p", "-J", "-t", "till", "-S", "-500");
    return stdout.replace(/[\u00a0\u202f]/g, " ");
  }

  /** Waits until the screen shows the text (after `after` occurrences of it), or fails with the screen. */
  async waitFor(text: string | RegExp, count = 1, ms = 20_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const screen = await this.screen();
      const seen =
        typeof text === "string"
          ? screen.split(text).length - 1
          : (screen.match(new RegExp(text.source, `${text.flags.replace("g", "")}g`)) ?? []).length;
      if (seen >= count) return screen;
      if (Date.now() > deadline) throw new Error(`the screen never showed ${String(text)}:\n${screen}`);
      await sleep(100);
    }
  }

  async paneDead(): Promise<boolean> {
    const { stdout } = await this.tmux("display-message", "-p", "-t", "till", "#{pane_dead}");
    return stdout.trim() === "1";
  }

  close() {
    return this.tmux("kill-server").catch(() => undefined);
  }
}

let db: ScratchDatabase;
let server: ServerProcess;
let terminal: Terminal | undefined;

beforeAll(async () => {
  db = await scratchDatabase();
  server = await startServer(db);
});

afterAll(async () => {
  await terminal?.close();
  await stopAllServers();
  await db?.drop();
});

describe("the price list", () => {
  it("reads code;price;name lines, skips a header and comments, refuses a bad price with its line", () => {
    const prices = parsePriceList("code;price;name\n# молочка\n4601000000004;1200.00;Сыр\nSKU-00003,450\n");
    expect(prices.get("4601000000004")).toEqual({ price: "1200.00", name: "Сыр" });
    expect(prices.get("SKU-00003")).toEqual({ price: "450" });
    expect(() => parsePriceList("SKU-1;12.345")).toThrow(/price/);
    expect(() => parsePriceList("code;price\nSKU-1")).toThrow(/line 2/);
  });
});

describe.skipIf(!hasTmux && !tmuxRequired)("the interactive till in tmux", () => {
  it("sells with a card and points, registers a client with the code typed in, refunds by receipt number", async () => {
    const prices = join(db.dir, "prices.csv");
    writeFileSync(prices, "code;price;name\n4601000000004;1200.00;Сыр российский\n");
    terminal = await Terminal.open(`kopilka-pos-test-${process.pid}`, [
      process.execPath,
      POS_MAIN,
      "--url",
      server.base,
      "--outbox",
      join(db.dir, "tmux-outbox.db"),
      "--pos",
      "POS-TMUX",
      "--prices",
      prices,
    ]);
    const t = terminal;
    await t.waitFor("Касса Копилки");
    await t.waitFor("Товары · чек 000001 · 0 стр.");

    // A price from the price list, and one asked for at the prompt.
    await t.type("4601000000004");
    await t.waitFor("+ Сыр российский × 1 по 1 200,00");
    await t.type("скан SKU-00003 2");
    await t.waitFor("Цена SKU-00003, ₽:");
    await t.type("450");
    await t.waitFor("+ SKU-00003 × 2 по 450,00");
    await t.waitFor("Товары · чек 000001 · 2 стр. · 2 100,00");

    await t.type("карта 2000000000002");
    await t.waitFor("[Товары] карта 2000000000002: доступно");
    // A promo code the server does not know stays off the receipt, with the server's reason.
    await t.type("промо NO-SUCH-CODE");
    await t.waitFor(/\[Ошибка\] [^\n]*NO-SUCH-CODE|\[Ошибка\] [^\n]*[Пп]ромокод/);
    await t.type("уровень");
    await t.waitFor(/\[Клиент\] \S/);
    await t.type("оплата");
    // A cashier message keeps goods mode: the cashier reads it and goes to payment again.
    let screen = await t.waitFor(/\[Оплата\] сумма|сообщение прочитано/);
    if (screen.includes("сообщение прочитано")) await t.type("оплата");
    screen = await t.waitFor("[Оплата] сумма 2 100,00");
    await t.waitFor(/Оплата · чек 000001 · к оплате/);
    await t.type("баллы 100");
    await t.waitFor("[Оплата] оплачено баллами 100 баллов");
    await t.type("закрыть");
    screen = await t.waitFor("[Чек закрыт] подтверждено сервером");
    expect(screen).toContain("-------- ЧЕК --------");
    expect(screen).toMatch(/\[Чек закрыт\] баланс карты [\d ]+ балл/);

    // The server has the sale, with the points spent.
    const client = new KopilkaClient({ baseUrl: server.base, login: DEMO.login, secret: DEMO.secret });
    const sale = await client.purchase("MSK-01-POS-TMUX-000001.1");
    expect(sale.state).toBe("confirmed");
    expect(sale.totals.pointsPaid).toBe(10_000);
    expect(sale.totals.subtotal).toBe(210_000);

    // A mistake is one line, and the till goes on.
    await t.type("танец");
    await t.waitFor("[Ошибка] неизвестная команда «танец»");

    // Registration: the code the client received is typed at the prompt.
    await t.type("регистрация");
    await t.waitFor("Имя (Enter — пропустить):");
    await t.type("Ирина");
    await t.waitFor("Телефон или эл. почта:");
    await t.type("+7 916 700-00-42");
    await t.waitFor("Номер карты");
    await t.type("2000000000042");
    const prompted = await t.waitFor(/Код из СМС или письма:|клиент зарегистрирован/);
    if (prompted.includes("Код из СМС")) await t.type(await lastCode(db, "+79167000042"));
    await t.waitFor(/\[Клиент\] клиент зарегистрирован, №\d+/);
    await t.waitFor("[Клиент] карты клиента: 2000000000042");

    // The first receipt back by its number: the points spent return to the card.
    await t.type("возврат 000001");
    await t.waitFor(/\[Возврат\] возвращено [\d ]+,\d\d ₽; баллов возвращено 100 баллов/);
    expect((await client.purchase("MSK-01-POS-TMUX-000001.1")).state).toBe("refunded");

    // What the cashier saw, kept for people to read (a CI artifact beside the cabinet's screenshots).
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, "interactive-till.txt"), await t.screen());

    await t.key("C-d");
    for (let i = 0; i < 100 && !(await t.paneDead()); i++) await sleep(100);
    expect(await t.paneDead()).toBe(true);
  });
});
