/**
 * The emulated till: one SDK client, one outbox file, the current receipt, and a switch that pulls the
 * network cable (for scenarios of a failed confirm that lands later).
 */
import { readFileSync, writeFileSync } from "node:fs";
import {
  FormError,
  KopilkaClient,
  looksLikeEmail,
  normalizePhone,
  Outbox,
  type OutboxItem,
  pickCard,
  ReceiptSession,
  RefundSession,
  Registrar,
} from "@kopilka/pos-sdk";
import { hundredths, kopecks, thousandths } from "./amounts.js";
import type { PosConfig } from "./ini.js";
import { Journal } from "./journal.js";
import type { Screen } from "./screen.js";

export class Till {
  readonly client: KopilkaClient;
  readonly outbox: Outbox;
  /** The receipts printed and confirmed, for `reconcile` (journal.ts). */
  readonly journal: Journal;
  readonly registrar: Registrar;
  session: ReceiptSession;
  networkUp = true;
  private receiptNumber: number;
  private nextLine = 1;

  constructor(
    readonly config: PosConfig,
    readonly screen: Screen,
    firstReceipt = 1,
  ) {
    const realFetch = globalThis.fetch;
    this.client = new KopilkaClient({
      baseUrl: config.url,
      login: config.login,
      secret: config.secret,
      language: config.language,
      offlineProbeIntervalMs: 0,
      fetch: (input, init) => {
        if (!this.networkUp) {
          const error = new TypeError("fetch failed", {
            cause: Object.assign(new Error("connect ENETUNREACH"), { code: "ENETUNREACH" }),
          });
          return Promise.reject(error);
        }
        return realFetch(input, init);
      },
    });
    this.journal = new Journal(Journal.fileFor(config.outbox));
    this.outbox = new Outbox(config.outbox, this.client, {
      baseDelayMs: 200,
      maxDelayMs: 5_000,
      // A confirm acknowledged (or refused for good) is written to the journal as it settles. A journal
      // that cannot be written must not stop the outbox: reconcile rebuilds it from the outbox anyway.
      onChange: (item) => {
        try {
          this.journal.record(item);
        } catch {}
      },
    });
    this.registrar = new Registrar(this.client);
    this.receiptNumber = firstReceipt;
    this.session = this.newSession();
  }

  /**
   * Receipt numbers go on from run to run (kept beside the outbox), as a till's do: a number used once is
   * a purchase the server already has.
   */
  private nextReceiptNumber(): number {
    const file = `${this.config.outbox}.receipt`;
    let last = 0;
    try {
      last = Number(readFileSync(file, "utf8").trim()) || 0;
    } catch {
      // the first receipt of this till
    }
    const n = Math.max(last + 1, this.receiptNumber);
    this.receiptNumber = n + 1;
    writeFileSync(file, String(n));
    return n;
  }

  /** Receipt ids are store, POS and number: the purchase ids the server sees derive from them. */
  receiptId(number: number | string): string {
    const n = typeof number === "number" ? String(number).padStart(6, "0") : number;
    return `${this.config.store}-${this.config.pos}-${n}`.replace(/[^A-Za-z0-9._:/-]/g, "_");
  }

  newSession(number?: string): ReceiptSession {
    const id = number ?? String(this.nextReceiptNumber()).padStart(6, "0");
    this.nextLine = 1;
    this.session = new ReceiptSession(
      this.client,
      this.outbox,
      {
        storeCode: this.config.store,
        posCode: this.config.pos,
        order: this.config.order,
        allowMessagesToCashier: this.config.allowMessagesToCashier,
        cardGroups: this.config.cardGroups,
        upgradeLevelAtConfirm: this.config.upgradeLevelAtConfirm,
      },
      this.receiptId(id),
    );
    return this.session;
  }

  // ── goods mode ───────────────────────────────────────────────────────────────────────────────────────

  scan(item: {
    sku?: string;
    barcode?: string;
    qty?: string | number;
    price: string | number;
    name?: string;
  }) {
    const lineId = String(this.nextLine++);
    const line = {
      lineId,
      ...(item.sku ? { sku: item.sku } : {}),
      ...(item.barcode ? { barcode: item.barcode } : {}),
      ...(item.name ? { name: item.name } : {}),
      quantity: thousandths(item.qty ?? 1),
      price: kopecks(item.price),
    };
    const r = this.session.addLine(line);
    if (!r.ok) return this.screen.say("error", r.problem.message);
    const s = this.screen;
    s.say(
      "goods",
      `${lineId}: ${s.w.line(item.name ?? item.sku ?? item.barcode ?? "?", s.qty(line.quantity), s.rub(line.price))}`,
    );
  }

  removeLine(lineId: string) {
    const r = this.session.removeLine(lineId);
    this.screen.say(r.ok ? "goods" : "error", r.ok ? this.screen.w.removed(lineId) : r.problem.message);
  }

  setQuantity(lineId: string, qty: string | number) {
    const r = this.session.setQuantity(lineId, thousandths(qty));
    this.screen.say(
      r.ok ? "goods" : "error",
      r.ok ? this.screen.w.quantity(lineId, this.screen.qty(thousandths(qty))) : r.problem.message,
    );
  }

  async card(number: string) {
    const r = await this.session.addCard(number);
    if (!r.ok) return this.screen.say("error", r.problem.message);
    const c = r.state.card!;
    this.screen.say("goods", this.screen.w.card(c.number, this.screen.pts(c.balance.available), c.level));
  }

  removeCard() {
    const r = this.session.removeCard();
    this.screen.say(r.ok ? "goods" : "error", r.ok ? this.screen.w.cardRemoved : r.problem.message);
  }

  /** The server checks the code for this card and these lines first; a code that cannot work stays off. */
  async promo(code: string) {
    const r = await this.session.checkPromoCode(code);
    this.screen.say(r.ok ? "goods" : "error", r.ok ? this.screen.w.promo(r.check.code) : r.problem.message);
  }

  /** The card's level: what it reaches and what is missing; `apply` moves it up now when it qualifies. */
  async level(apply: boolean) {
    const r = await this.session.levelUpgrade(apply);
    if (!r.ok) return this.screen.say("error", r.problem.message);
    this.screen.say("client", r.upgrade.message);
  }

  // ── payment ──────────────────────────────────────────────────────────────────────────────────────────

  async payment() {
    const r = await this.session.beforePayment();
    if (!r.ok) {
      if (r.state.paymentBlocked)
        return this.screen.say("goods", this.screen.w.blocked(r.problem?.message ?? ""));
      return this.screen.say("error", r.problem?.message ?? "");
    }
    if (r.state.mode === "goods") {
      for (const m of r.messages) this.screen.say("goods", this.screen.w.message(m.text));
      return this.screen.say("goods", this.screen.w.proceed);
    }
    this.screen.priced(r.state);
  }

  async spend(points: string | number) {
    const r = await this.session.spendPoints(hundredths(points));
    if (!r.ok) return this.screen.say("error", r.problem.message);
    const c = r.state.calculation!;
    this.screen.say(
      "payment",
      this.screen.w.paid(this.screen.pts(c.totals.pointsPaid), this.screen.rub(c.totals.toPay)),
    );
  }

  async back() {
    const r = await this.session.backToGoods();
    this.screen.say(r.ok ? "goods" : "error", r.ok ? this.screen.w.back : r.problem.message);
  }

  /** Pays and closes: prints then confirms, or sends then prints, as the till is configured. */
  async pay(fiscal: { fn?: string; fd?: string; fpd?: string } = {}) {
    const s = this.session;
    const f = {
      fn: fiscal.fn ?? "7281440500123456",
      fd: fiscal.fd ?? String(this.receiptNumber),
      fpd: fiscal.fpd ?? "1234567890",
    };
    if (s.state.order === "confirm-then-print") {
      const sent = await s.submit();
      if (!sent.ok) return this.screen.say("error", sent.problem.message);
      if (sent.confirmed)
        this.journal.recordConfirmed(sent.confirmed.purchaseId, { receipt: s.printedReceipt() });
      this.screen.receipt(s.state, sent.confirmed);
      s.afterPrint(f);
      return this.screen.say("closed", this.screen.w.confirmed);
    }
    if (s.state.mode !== "payment")
      return this.screen.say(
        "error",
        this.config.language === "en" ? "the receipt is not in payment mode" : "чек не в режиме оплаты",
      );
    this.screen.receipt(s.state);
    const r = await s.afterFiscal(f, s.receiptId);
    if (!r.ok && !r.item) return this.screen.say("error", r.problem?.message ?? "");
    // The receipt is printed: in the journal whether or not its confirm has landed yet.
    if (r.item) this.journal.record(r.item);
    if (r.item) this.screen.delivery(r.item);
    if (r.confirmed?.receipt.balance)
      this.screen.say(
        "closed",
        this.screen.w.balance(this.screen.pts(r.confirmed.receipt.balance.available)),
      );
  }

  printFailed() {
    const r = this.session.printFailed();
    this.screen.say(r.ok ? "goods" : "error", r.ok ? this.screen.w.printFailed : r.problem.message);
  }

  // ── refund ───────────────────────────────────────────────────────────────────────────────────────────

  /** The purchase of a receipt number, from the local journal (the outbox's confirms). */
  purchaseOf(receipt: string): string | null {
    const prefix = `${receipt === "last" ? this.session.receiptId : this.receiptId(receipt)}.`;
    const confirms = this.outbox
      .list()
      .filter((i) => i.kind === "confirm" && i.purchaseId.startsWith(prefix));
    return confirms.pop()?.purchaseId ?? null;
  }

  async refund(receipt: string, lines?: { line: string; qty?: string | number }[], refundNumber?: string) {
    const purchaseId = this.purchaseOf(receipt) ?? receipt;
    const refund = new RefundSession(this.client, this.outbox);
    try {
      const left = await refund.restore(purchaseId);
      for (const l of left)
        this.screen.say(
          "refund",
          `${l.lineId}: ${l.sku ?? l.barcode ?? ""} × ${this.screen.qty(l.quantity)}`,
        );
      if (lines)
        refund.choose(
          lines.map((l) => ({
            lineId: l.line,
            ...(l.qty !== undefined ? { quantity: thousandths(l.qty) } : {}),
          })),
        );
      const refundId = `${purchaseId}-R${refundNumber ?? this.outbox.list().filter((i) => i.kind === "refund" && i.purchaseId === purchaseId).length + 1}`;
      const done = await refund.afterFiscal(refundId);
      if (done.view) this.screen.refunded(done.view);
      else this.screen.say("refund", this.screen.w.refundQueued(done.item.lastError ?? done.item.status));
    } catch (error) {
      this.screen.say("error", (error as Error).message);
    }
  }

  // ── clients ──────────────────────────────────────────────────────────────────────────────────────────

  async register(form: {
    name?: string;
    phone?: string;
    email?: string;
    card?: string;
    code?: string;
    codesFile?: string;
    /** Asks the cashier for the code the client received (interactive mode). */
    askCode?: () => Promise<string>;
    attach?: "virtual" | string;
  }) {
    try {
      let step = await this.registrar.register({
        ...(form.name ? { name: form.name } : {}),
        ...(form.phone ? { phone: form.phone } : {}),
        ...(form.email ? { email: form.email } : {}),
        ...(form.card ? { cardNumber: form.card } : {}),
        consents: { personalData: true },
      });
      if (step.status === "code_required") {
        this.screen.say("client", this.screen.w.codeSent(step.confirmation.destination));
        const code =
          form.code ??
          (form.askCode
            ? await form.askCode()
            : this.codeFromFile(form.codesFile, form.phone ?? form.email ?? ""));
        step = await this.registrar.confirm(step.confirmation.confirmationId, code);
      }
      if (step.status !== "registered") return;
      this.screen.say("client", this.screen.w.registered(step.clientId));
      let cards = step.cards;
      // Not attached by the server: the card shown, or the one the cashier chose, or a virtual one.
      const attach = form.attach ?? form.card;
      if (!step.settings.attachCardOnRegistration && attach && cards.length === 0)
        cards = await this.registrar.attachCard(
          step.clientId,
          attach === "virtual" ? "virtual" : { number: attach },
        );
      this.screen.say("client", this.screen.w.cards(cards.map((c) => c.number).join(", ")));
    } catch (error) {
      this.screen.say("error", error instanceof FormError ? error.message : (error as Error).message);
    }
  }

  async identify(form: {
    phone?: string;
    email?: string;
    code?: string;
    codesFile?: string;
    askCode?: () => Promise<string>;
    use?: boolean;
  }) {
    try {
      const contact = form.phone ?? form.email ?? "";
      const step = await this.registrar.identify(contact);
      let cards = step.status === "identified" ? step.cards : [];
      if (step.status === "code_required") {
        this.screen.say("client", this.screen.w.codeSent(step.confirmation.destination));
        cards = await this.registrar.confirmIdentification(
          step.confirmation.confirmationId,
          form.code ?? (form.askCode ? await form.askCode() : this.codeFromFile(form.codesFile, contact)),
        );
      }
      this.screen.say("client", this.screen.w.cards(cards.map((c) => c.number).join(", ")));
      const chosen = pickCard(cards);
      if (chosen) {
        this.screen.say("client", this.screen.w.chosen(chosen.number));
        if (form.use !== false) await this.card(chosen.number);
      }
    } catch (error) {
      this.screen.say("error", (error as Error).message);
    }
  }

  /** Development only: the last code the server wrote to its DEV_CODES_FILE for this destination. */
  private codeFromFile(file: string | undefined, to: string): string {
    if (!file) throw new Error("a code is needed: give code, or codesFile with the server's DEV_CODES_FILE");
    const normalized = looksLikeEmail(to) ? to.trim().toLowerCase() : (normalizePhone(to) ?? to);
    const entries = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { to: string; code: string });
    const found = entries.filter((e) => e.to === normalized || e.to === to).pop();
    if (!found) throw new Error(`no code for ${to} in ${file}`);
    return found.code;
  }

  // ── the outbox ───────────────────────────────────────────────────────────────────────────────────────

  async drain(seconds: number) {
    const waiting = new Set(this.outbox.list("pending").map((i) => i.id));
    const left = await this.outbox.drainAll(seconds * 1000);
    for (const item of this.outbox.list())
      if (waiting.has(item.id) || item.status !== "delivered") this.report(item);
    this.screen.say("outbox", this.screen.w.pending(left));
    return left;
  }

  report(item: OutboxItem) {
    const status =
      item.status === "delivered"
        ? this.screen.w.confirmed
        : item.status === "pending"
          ? this.screen.w.queued(item.lastError ?? "…")
          : this.screen.w.hanging(item.lastError ?? item.status);
    this.screen.say("outbox", `${item.kind} ${item.purchaseId}: ${status}`);
  }
}
