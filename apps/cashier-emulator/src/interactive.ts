/**
 * The interactive till: the cashier types at a prompt that shows the mode, the receipt and its total.
 * Every action goes through the same Till as the scenarios, so what a scenario proves holds here.
 *
 * A barcode, or a code of the price list, alone on a line is a scan (`4601000000004 [qty] [price]`;
 * `скан SKU-00003 2` for any code); other lines start with a command word, in Russian or English (`карта 2000000000002` = `card 2000000000002`). A price not
 * given and not in the price list (`--prices`) is asked for, as a till asks for a free-price item.
 */
import { readFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { kopecks, lineAmount } from "./amounts.js";
import type { Till } from "./till.js";

export interface PriceListEntry {
  price: string;
  name?: string;
}

/**
 * A till's price list: one item per line, `code;price;name` (or commas), the code a barcode or a SKU,
 * the price in rubles. Lines starting with `#` and a header naming `code` are skipped.
 */
export function parsePriceList(text: string): Map<string, PriceListEntry> {
  const prices = new Map<string, PriceListEntry>();
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [code, price, ...name] = line.split(line.includes(";") ? ";" : ",").map((s) => s.trim());
    if (i === 0 && code?.toLowerCase() === "code") continue;
    if (!code || !price) throw new Error(`price list line ${i + 1}: expected code;price;name`);
    kopecks(price); // refuses "12.345" and words now, not at the till
    prices.set(code, { price, ...(name.length && name.join(" ") ? { name: name.join(" ") } : {}) });
  }
  return prices;
}

/** Command words: the first listed is the one the help shows; any of them works. */
const COMMANDS = {
  scan: ["скан", "scan"],
  qty: ["кол", "qty"],
  remove: ["удалить", "del", "remove"],
  card: ["карта", "card"],
  removeCard: ["безкарты", "nocard"],
  promo: ["промо", "promo"],
  level: ["уровень", "level"],
  payment: ["оплата", "pay"],
  spend: ["баллы", "spend"],
  close: ["закрыть", "close"],
  back: ["назад", "back"],
  newReceipt: ["новый", "new"],
  refund: ["возврат", "refund"],
  register: ["регистрация", "register"],
  identify: ["поиск", "identify"],
  outbox: ["очередь", "outbox"],
  drain: ["отправить", "drain"],
  network: ["сеть", "network"],
  help: ["помощь", "help", "?"],
  quit: ["выход", "quit", "exit"],
} as const;

type Command = keyof typeof COMMANDS;

const BY_WORD = new Map<string, Command>(
  Object.entries(COMMANDS).flatMap(([command, words]) => words.map((w) => [w, command as Command])),
);

export interface InteractiveOptions {
  prices?: Map<string, PriceListEntry>;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export class InteractiveTill {
  private readonly rl: Interface;
  private readonly prices: Map<string, PriceListEntry>;
  private closed = false;

  constructor(
    private readonly till: Till,
    options: InteractiveOptions = {},
  ) {
    this.prices = options.prices ?? new Map();
    this.rl = createInterface({
      input: options.input ?? process.stdin,
      output: options.output ?? process.stdout,
      historySize: 200,
      terminal: (options.input ?? process.stdin) === process.stdin ? process.stdin.isTTY : false,
    });
    this.rl.on("close", () => {
      this.closed = true;
    });
  }

  private get w() {
    return this.till.screen.w;
  }

  /** The question's answer, or null once the input ends (Ctrl-D, a closed pipe). */
  private ask(question: string): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onClose = () => resolve(null);
      this.rl.once("close", onClose);
      this.rl.question(question, (answer) => {
        this.rl.off("close", onClose);
        resolve(answer);
      });
    });
  }

  private async askRequired(question: string): Promise<string> {
    const answer = await this.ask(question);
    if (answer === null || answer.trim() === "") throw new Error(this.w.cancelledInput);
    return answer.trim();
  }

  /** `Товары · чек 000003 · 2 стр. · 1 650,00 ₽ >` */
  prompt(): string {
    const state = this.till.session.state;
    const s = this.till.screen;
    const receipt = this.till.session.receiptId.split("-").at(-1) ?? "";
    if (state.mode === "payment" && state.calculation)
      return `${this.w.payment} · ${this.w.receiptNo(receipt)} · ${this.w.toPay(s.rub(state.calculation.totals.toPay))} > `;
    const total = state.lines.reduce((sum, l) => sum + lineAmount(l.price, l.quantity), 0);
    const card = state.card ? ` · ${this.w.cardShort(state.card.number)}` : "";
    return `${this.w[state.mode]} · ${this.w.receiptNo(receipt)} · ${this.w.linesCount(state.lines.length)} · ${s.rub(total)}${card} > `;
  }

  /** Reads commands until `выход` or the end of input; the outbox file is closed by the caller. */
  async run(): Promise<void> {
    this.till.screen.raw(this.w.welcome);
    for (;;) {
      const line = await this.ask(this.prompt());
      if (line === null) break;
      const text = line.trim();
      if (text === "") continue;
      try {
        if ((await this.execute(text)) === "quit") break;
      } catch (error) {
        this.till.screen.say("error", (error as Error).message);
      }
    }
    this.rl.close();
  }

  /** One command line; "quit" ends the session. */
  async execute(text: string): Promise<"quit" | undefined> {
    const [word = "", ...args] = text.split(/\s+/);
    const till = this.till;
    const command = BY_WORD.get(word.toLowerCase());
    if (!command && (/^\d/.test(word) || this.prices.has(word))) return void (await this.scan(word, args));
    if (!command) return void till.screen.say("error", this.w.unknownCommand(word));
    const arg = (i: number, what: string) => {
      const value = args[i];
      if (value === undefined) throw new Error(this.w.missing(what));
      return value;
    };
    switch (command) {
      case "scan":
        await this.scan(arg(0, this.w.argCode), args.slice(1));
        break;
      case "qty":
        till.setQuantity(arg(0, this.w.argLine), arg(1, this.w.argQty));
        break;
      case "remove":
        till.removeLine(arg(0, this.w.argLine));
        break;
      case "card":
        this.startIfClosed();
        await till.card(arg(0, this.w.argCard));
        break;
      case "removeCard":
        till.removeCard();
        break;
      case "promo":
        this.startIfClosed();
        await till.promo(arg(0, this.w.argPromo));
        break;
      case "level":
        await till.level(args[0] === "применить" || args[0] === "apply");
        break;
      case "payment":
        await till.payment();
        break;
      case "spend":
        await till.spend(arg(0, this.w.argPoints));
        break;
      case "close":
        await till.pay(args[0] ? { fd: args[0] } : {});
        break;
      case "back":
        await till.back();
        break;
      case "newReceipt":
        this.newReceipt();
        break;
      case "refund":
        await this.refund(arg(0, this.w.argReceipt), args.slice(1));
        break;
      case "register":
        await this.register();
        break;
      case "identify":
        this.startIfClosed();
        await till.identify({
          ...(arg(0, this.w.argContact).includes("@") ? { email: args[0]! } : { phone: args[0]! }),
          askCode: () => this.askRequired(this.w.askCode),
        });
        break;
      case "outbox":
        for (const item of till.outbox.list()) till.report(item);
        till.screen.say("outbox", this.w.pending(till.outbox.list("pending").length));
        break;
      case "drain":
        await till.drain(Number(args[0]) || 10);
        break;
      case "network":
        till.networkUp = args[0] !== "down" && args[0] !== "откл";
        till.screen.say("outbox", this.w.network(till.networkUp));
        break;
      case "help":
        for (const helpLine of this.w.help) till.screen.raw(helpLine);
        break;
      case "quit":
        return "quit";
    }
    return undefined;
  }

  /** A closed receipt is done: the next scan, card or promo code starts a new one, as a till does. */
  private startIfClosed(): void {
    if (this.till.session.state.mode === "closed") this.newReceipt();
  }

  private newReceipt(): void {
    this.till.newSession();
    this.till.screen.say("goods", this.w.newReceipt(this.till.session.receiptId.split("-").at(-1) ?? ""));
  }

  private async scan(code: string, args: string[]): Promise<void> {
    this.startIfClosed();
    const known = this.prices.get(code);
    const price = args[1] ?? known?.price ?? (await this.askRequired(this.w.askPrice(code)));
    const name = known?.name;
    this.till.scan({
      ...(/^\d{8,14}$/.test(code) ? { barcode: code } : { sku: code }),
      qty: args[0] ?? "1",
      price,
      ...(name ? { name } : {}),
    });
  }

  /** `возврат 000042` refunds the whole receipt; `возврат 000042 1 2:0.5` refunds line 1 and half of 2. */
  private async refund(receipt: string, lines: string[]): Promise<void> {
    const chosen = lines.map((l) => {
      const [line = "", qty] = l.split(":");
      return { line, ...(qty !== undefined ? { qty } : {}) };
    });
    await this.till.refund(receipt, chosen.length ? chosen : undefined);
  }

  private async register(): Promise<void> {
    const name = (await this.ask(this.w.askName))?.trim();
    const contact = await this.askRequired(this.w.askContact);
    const card = (await this.ask(this.w.askCardOrVirtual))?.trim();
    await this.till.register({
      ...(name ? { name } : {}),
      ...(contact.includes("@") ? { email: contact } : { phone: contact }),
      ...(card ? (card === "v" || card === "в" ? { attach: "virtual" } : { card }) : {}),
      askCode: () => this.askRequired(this.w.askCode),
    });
  }
}

export function loadPriceList(file: string): Map<string, PriceListEntry> {
  return parsePriceList(readFileSync(file, "utf8"));
}
