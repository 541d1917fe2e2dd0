/** What the cashier sees, as lines of text, in Russian by default. */
import { formatPoints, formatQuantity, formatRubles, type Language } from "@kopilka/contract";
import type { ConfirmView, OutboxItem, ReceiptState, RefundView } from "@kopilka/pos-sdk";
import { lineAmount } from "./amounts.js";

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
    welcome: "Касса Копилки. Сканируйте штрихкод или введите команду; «помощь» — список команд.",
    receiptNo: (n: string) => `чек ${n}`,
    linesCount: (n: number) => `${n} стр.`,
    toPay: (amount: string) => `к оплате ${amount}`,
    cardShort: (n: string) => `карта …${n.slice(-4)}`,
    unknownCommand: (w: string) => `неизвестная команда «${w}»; «помощь» — список команд`,
    missing: (what: string) => `не хватает: ${what}`,
    cancelledInput: "ввод прерван",
    argCode: "штрихкод или артикул",
    argLine: "номер строки",
    argQty: "количество",
    argCard: "номер карты",
    argPromo: "промокод",
    argPoints: "сколько баллов",
    argReceipt: "номер чека",
    argContact: "телефон или эл. почта",
    askPrice: (code: string) => `Цена ${code}, ₽: `,
    askCode: "Код из СМС или письма: ",
    askName: "Имя (Enter — пропустить): ",
    askContact: "Телефон или эл. почта: ",
    askCardOrVirtual: "Номер карты, «в» — виртуальная, Enter — как настроено на сервере: ",
    help: [
      "ШТРИХКОД [кол-во] [цена]   добавить товар (цену спросим, если её нет в прайсе)",
      "скан АРТИКУЛ [кол-во] [цена]  добавить товар по артикулу",
      "кол СТРОКА КОЛ-ВО          изменить количество     удалить СТРОКА   убрать строку",
      "карта НОМЕР                добавить карту          безкарты         убрать карту",
      "промо КОД                  проверить и добавить промокод",
      "уровень [применить]        уровень карты: что доступно; «применить» — повысить сейчас",
      "оплата                     перейти к оплате (расчёт скидок и баллов)",
      "баллы N                    оплатить N баллов       назад            вернуться к товарам",
      "закрыть [ФД]               напечатать чек и подтвердить покупку",
      "новый                      новый чек               возврат ЧЕК [СТРОКА[:КОЛ-ВО] …]",
      "регистрация                зарегистрировать клиента",
      "поиск ТЕЛЕФОН|ПОЧТА        найти карту клиента по коду подтверждения",
      "очередь / отправить [сек]  очередь подтверждений   сеть откл|вкл    учебный обрыв сети",
      "выход                      завершить работу (Ctrl-D тоже)",
    ],
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
    welcome: 'Kopilka till. Scan a barcode or type a command; "help" lists them.',
    receiptNo: (n: string) => `receipt ${n}`,
    linesCount: (n: number) => `${n} lines`,
    toPay: (amount: string) => `to pay ${amount}`,
    cardShort: (n: string) => `card …${n.slice(-4)}`,
    unknownCommand: (w: string) => `unknown command "${w}"; "help" lists them`,
    missing: (what: string) => `missing: ${what}`,
    cancelledInput: "input cancelled",
    argCode: "barcode or SKU",
    argLine: "line number",
    argQty: "quantity",
    argCard: "card number",
    argPromo: "promo code",
    argPoints: "how many points",
    argReceipt: "receipt number",
    argContact: "phone or e-mail",
    askPrice: (code: string) => `Price of ${code}, RUB: `,
    askCode: "Code from the SMS or e-mail: ",
    askName: "Name (Enter to skip): ",
    askContact: "Phone or e-mail: ",
    askCardOrVirtual: 'Card number, "v" for a virtual one, Enter for the server\'s setting: ',
    help: [
      "BARCODE [qty] [price]      add an item (the price is asked for if not in the price list)",
      "scan SKU [qty] [price]     add an item by its SKU",
      "qty LINE QTY               change the quantity     del LINE         remove a line",
      "card NUMBER                add a card              nocard           remove the card",
      "promo CODE                 check and add a promo code",
      'level [apply]              the card\'s level: what it reaches; "apply" moves it up now',
      "pay                        go to payment (discounts and points are calculated)",
      "spend N                    pay N points            back             back to goods",
      "close [FD]                 print the receipt and confirm the purchase",
      "new                        a new receipt           refund RECEIPT [LINE[:QTY] …]",
      "register                   register a client",
      "identify PHONE|E-MAIL      find the client's card with a confirmation code",
      "outbox / drain [sec]       the confirm queue       network down|up  a training network cut",
      "quit                       end the session (Ctrl-D too)",
    ],
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
      // The till's own name of the item, as printed on a real receipt; the server's code otherwise.
      const names = new Map(state.lines.map((l) => [l.lineId, l.name]));
      for (const l of c.lines)
        this.raw(
          this.w.receiptLine(
            names.get(l.lineId) ?? l.sku ?? l.barcode ?? l.lineId,
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
        const amount = lineAmount(l.price, l.quantity);
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
