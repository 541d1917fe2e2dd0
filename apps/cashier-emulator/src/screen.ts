/** What the cashier sees, as lines of text, in Russian by default. */
import { formatPoints, formatQuantity, formatRubles, type Language } from "@kopilka/contract";
import type { ConfirmView, OutboxItem, ReceiptState, RefundView } from "@kopilka/pos-sdk";

const WORDS = {
  ru: {
    goods: "Товары",
    payment: "Оплата",
    printing: "Печать",
    closed: "Чек закрыт",
    refund: "Возврат",
    client: "Клиент",
    outbox: "Очередь",
    error: "Ошибка",
    line: (name: string, q: string, price: string) => `+ ${name} × ${q} по ${price}`,
    removed: (id: string) => `строка ${id} удалена`,
    quantity: (id: string, q: string) => `строка ${id}: количество ${q}`,
    card: (n: string, bal: string, level: string | null) =>
      `карта ${n}: доступно ${bal}${level ? `, уровень ${level}` : ""}`,
    cardRemoved: "карта удалена из чека",
    promo: (c: string) => `промокод ${c} добавлен`,
    promoUnknown: (c: string) => `промокод ${c} не применён`,
    message: (t: string) => `сообщение: ${t}`,
    proceed: "сообщение прочитано, переход к оплате — ещё раз",
    blocked: (m: string) => `переход к оплате заблокирован: ${m}. Удалите карту, чтобы оплатить без неё`,
    totals: (sub: string, disc: string, pay: string) => `сумма ${sub}, скидка ${disc}, к оплате ${pay}`,
    accrual: (p: string) => `будет начислено ${p}`,
    maxPoints: (p: string) => `можно оплатить баллами до ${p}`,
    paid: (p: string, pay: string) => `оплачено баллами ${p}, к оплате ${pay}`,
    back: "возврат в режим товаров: покупка отменена",
    receiptHead: "-------- ЧЕК --------",
    receiptLine: (n: string, q: string, amount: string, disc: string, pts: string) =>
      `${n} × ${q}  ${amount}  скидка ${disc}  баллами ${pts}`,
    receiptTotals: (pay: string, spent: string, accrued: string) =>
      `ИТОГО ${pay}; списано ${spent}; начислено ${accrued}`,
    balance: (b: string) => `баланс карты ${b}`,
    receiptFoot: "---------------------",
    confirmed: "подтверждено сервером",
    late: "подтверждено сервером (позднее подтверждение по напечатанному чеку)",
    queued: (why: string) => `подтверждение в очереди, отправка повторяется (${why})`,
    hanging: (why: string) => `подвисшая транзакция: ${why}`,
    refunded: (amount: string, ret: string, rev: string) =>
      `возвращено ${amount}; баллов возвращено ${ret}; начисление отменено на ${rev}`,
    refundQueued: (why: string) => `возврат в очереди, отправка повторяется (${why})`,
    pending: (n: number) => `в очереди ${n}`,
    registered: (id: number) => `клиент зарегистрирован, №${id}`,
    codeSent: (to: string) => `код подтверждения отправлен: ${to}`,
    cards: (list: string) => `карты клиента: ${list || "нет"}`,
    chosen: (n: string) => `выбрана карта ${n}`,
    network: (up: boolean) => (up ? "сеть восстановлена" : "сеть отключена"),
    newReceipt: (n: string) => `новый чек ${n}`,
    printFailed: "ошибка печати: подтверждённая покупка отменяется",
  },
  en: {
    goods: "Goods",
    payment: "Payment",
    printing: "Printing",
    closed: "Closed",
    refund: "Refund",
    client: "Client",
    outbox: "Outbox",
    error: "Error",
    line: (name: string, q: string, price: string) => `+ ${name} × ${q} at ${price}`,
    removed: (id: string) => `line ${id} removed`,
    quantity: (id: string, q: string) => `line ${id}: quantity ${q}`,
    card: (n: string, bal: string, level: string | null) =>
      `card ${n}: ${bal} available${level ? `, level ${level}` : ""}`,
    cardRemoved: "card removed from the receipt",
    promo: (c: string) => `promo code ${c} added`,
    promoUnknown: (c: string) => `promo code ${c} not applied`,
    message: (t: string) => `message: ${t}`,
    proceed: "message read: proceed to payment again",
    blocked: (m: string) => `payment blocked: ${m}. Remove the card to pay without it`,
    totals: (sub: string, disc: string, pay: string) => `subtotal ${sub}, discount ${disc}, to pay ${pay}`,
    accrual: (p: string) => `to accrue ${p}`,
    maxPoints: (p: string) => `may pay with points up to ${p}`,
    paid: (p: string, pay: string) => `paid with points ${p}, to pay ${pay}`,
    back: "back to goods: the purchase is cancelled",
    receiptHead: "------ RECEIPT ------",
    receiptLine: (n: string, q: string, amount: string, disc: string, pts: string) =>
      `${n} × ${q}  ${amount}  discount ${disc}  points ${pts}`,
    receiptTotals: (pay: string, spent: string, accrued: string) =>
      `TOTAL ${pay}; spent ${spent}; accrued ${accrued}`,
    balance: (b: string) => `card balance ${b}`,
    receiptFoot: "---------------------",
    confirmed: "confirmed by the server",
    late: "confirmed by the server (late confirm from the printed receipt)",
    queued: (why: string) => `confirm queued, retrying (${why})`,
    hanging: (why: string) => `hanging transaction: ${why}`,
    refunded: (amount: string, ret: string, rev: string) =>
      `refunded ${amount}; points returned ${ret}; accrual reversed ${rev}`,
    refundQueued: (why: string) => `refund queued, retrying (${why})`,
    pending: (n: number) => `${n} queued`,
    registered: (id: number) => `client registered, #${id}`,
    codeSent: (to: string) => `confirmation code sent: ${to}`,
    cards: (list: string) => `client's cards: ${list || "none"}`,
    chosen: (n: string) => `card ${n} chosen`,
    network: (up: boolean) => (up ? "network back" : "network down"),
    newReceipt: (n: string) => `new receipt ${n}`,
    printFailed: "printer error: the confirmed purchase is being cancelled",
  },
};

export type Words = (typeof WORDS)["ru"];

export class Screen {
  readonly w: Words;
  readonly lines: string[] = [];

  constructor(
    readonly language: Language,
    private readonly write: (line: string) => void,
  ) {
    this.w = WORDS[language] as Words;
  }

  rub = (k: number) => formatRubles(k, this.language);
  pts = (h: number) => formatPoints(h, this.language);
  qty = (t: number) => formatQuantity(t, this.language);

  say(
    section: keyof Pick<
      Words,
      "goods" | "payment" | "printing" | "closed" | "refund" | "client" | "outbox" | "error"
    >,
    text: string,
  ) {
    const line = `[${this.w[section]}] ${text}`;
    this.lines.push(line);
    this.write(line);
  }

  raw(text: string) {
    this.lines.push(text);
    this.write(text);
  }

  /** The calculation as the payment screen shows it. */
  priced(state: ReceiptState) {
    const c = state.calculation;
    if (!c) return;
    this.say(
      "payment",
      this.w.totals(this.rub(c.totals.subtotal), this.rub(c.totals.discount), this.rub(c.totals.toPay)),
    );
    this.say("payment", this.w.accrual(this.pts(c.totals.accrual)));
    if (state.card) this.say("payment", this.w.maxPoints(this.pts(c.points.maxPayment)));
    for (const code of c.promoCodes.unknown) this.say("payment", this.w.promoUnknown(code));
  }

  /** The printed fiscal receipt: lines with discounts, points spent and accrued, the balance. */
  receipt(state: ReceiptState, confirmed?: ConfirmView) {
    this.raw(this.w.receiptHead);
    const c = state.calculation;
    if (c) {
      for (const l of c.lines)
        this.raw(
          this.w.receiptLine(
            l.sku ?? l.barcode ?? l.lineId,
            this.qty(l.quantity),
            this.rub(l.amount),
            this.rub(l.discount),
            this.pts(l.pointsPaid),
          ),
        );
      this.raw(
        this.w.receiptTotals(
          this.rub(c.totals.toPay),
          this.pts(c.totals.pointsPaid),
          this.pts(c.totals.accrual),
        ),
      );
    } else {
      let total = 0;
      for (const l of state.lines) {
        const amount = Math.round((l.price * l.quantity) / 1000);
        total += amount;
        this.raw(
          this.w.receiptLine(
            l.name ?? l.sku ?? l.barcode ?? l.lineId,
            this.qty(l.quantity),
            this.rub(amount),
            this.rub(0),
            this.pts(0),
          ),
        );
      }
      this.raw(this.w.receiptTotals(this.rub(total), this.pts(0), this.pts(0)));
    }
    const balance = confirmed?.receipt.balance;
    if (balance) this.raw(this.w.balance(this.pts(balance.available)));
    this.raw(this.w.receiptFoot);
  }

  delivery(item: OutboxItem) {
    if (item.status === "delivered") {
      const late = (item.answer as { late?: boolean } | null)?.late;
      this.say("closed", late ? this.w.late : this.w.confirmed);
    } else if (item.status === "pending") this.say("closed", this.w.queued(item.lastError ?? "…"));
    else this.say("closed", this.w.hanging(item.lastError ?? item.status));
  }

  refunded(view: RefundView) {
    this.say(
      "refund",
      this.w.refunded(this.rub(view.amount), this.pts(view.pointsReturned), this.pts(view.accrualReversed)),
    );
    if (view.balance) this.say("refund", this.w.balance(this.pts(view.balance.available)));
  }
}
