/**
 * What the bench sends: 10-line receipts over random products, each on a different card drawn at random
 * from the whole seeded range (every card at most once per run, so concurrent holds on one card stay out
 * of the picture), a promo code on a share of them; then bonus payments and confirms over the purchases
 * the server calculated, each purchase confirmed exactly once.
 */
import { cardNumber } from "../src/modules/demo/index.js";
import type { Workload } from "./load.js";
import { BENCH_STORE, benchPromoCodes, FIRST_CARD, rng, type SeedSizes, skuOf } from "./seed.js";

const LINES_PER_RECEIPT = 10;
const PRICES = [5_000, 12_900, 24_900, 39_900, 54_900, 79_900, 119_900, 249_900];
const QUANTITIES = [1000, 1000, 1000, 2000, 3000, 1500];
/** Share of the receipts that carry one of the rules' promo codes. */
const PROMO_SHARE = 0.1;
/** Smallest points payment worth asking for (hundredths): below it a purchase is not paid with points. */
const MIN_POINTS_PAYMENT = 200;

export interface Calculated {
  id: string;
  maxPayment: number;
}

export class BenchWorkload {
  private readonly random = rng(7);
  private readonly cardOrder: Uint32Array;
  private cardSeq = 0;
  private purchaseSeq = 0;
  private readonly receipts: string[];
  private readonly promoCodes: string[];
  /** Purchases the server calculated (2xx), oldest first, not yet used by a bonus payment or a confirm. */
  private readonly calculated: Calculated[] = [];

  private readonly firstCard: number;

  constructor(
    private readonly sizes: SeedSizes,
    /** Prefix of every purchase id of this run: the run's confirms are counted in the database by it. */
    readonly idPrefix: string,
    /**
     * Another program's cards and promo codes (the 2,000-rule program); its receipts are drawn the same
     * way, over the same products.
     */
    program?: { firstCard: number; promoCodes: string[] },
  ) {
    this.firstCard = program?.firstCard ?? FIRST_CARD;
    this.cardOrder = this.shuffledCards(sizes.cards);
    this.receipts = Array.from({ length: 4096 }, () => this.receiptLines());
    this.promoCodes = program?.promoCodes ?? benchPromoCodes(sizes.products);
  }

  get available(): number {
    return this.calculated.length;
  }

  private shuffledCards(count: number): Uint32Array {
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    return order;
  }

  private receiptLines(): string {
    const picked = new Set<number>();
    while (picked.size < LINES_PER_RECEIPT) picked.add(Math.floor(this.random() * this.sizes.products));
    return JSON.stringify(
      [...picked].map((p, i) => ({
        lineId: String(i + 1),
        sku: skuOf(p),
        quantity: QUANTITIES[Math.floor(this.random() * QUANTITIES.length)]!,
        price: PRICES[Math.floor(this.random() * PRICES.length)]!,
      })),
    );
  }

  private nextCard(): string {
    if (this.cardSeq === this.cardOrder.length) {
      // Every card used once: start over (a second purchase on a card is still valid, only less ideal).
      this.cardSeq = 0;
    }
    return cardNumber(this.firstCard + this.cardOrder[this.cardSeq++]!);
  }

  newPurchaseId(): string {
    return `${this.idPrefix}-${++this.purchaseSeq}`;
  }

  calculateBody(purchaseId: string): string {
    const lines = this.receipts[Math.floor(this.random() * this.receipts.length)]!;
    const promo =
      this.promoCodes.length > 0 && this.random() < PROMO_SHARE
        ? `,"promoCodes":["${this.promoCodes[Math.floor(this.random() * this.promoCodes.length)]}"]`
        : "";
    return `{"purchaseId":"${purchaseId}","storeCode":"${BENCH_STORE}","posCode":"POS-1","cardNumber":"${this.nextCard()}","lines":${lines}${promo}}`;
  }

  /** Calculates; with `record`, every calculated purchase joins the pool for bonus payments and confirms. */
  calculate(headers: Record<string, string>, record: boolean): Workload {
    return {
      method: "POST",
      headers,
      next: () => {
        const id = this.newPurchaseId();
        return { path: "/v1/purchases/calculate", body: this.calculateBody(id), tag: id };
      },
      done: (status, body, tag) => {
        if (!record || status !== 200) return;
        const at = body.indexOf('"maxPayment":');
        const maxPayment = at < 0 ? 0 : Number.parseInt(body.slice(at + 13, at + 30), 10);
        this.calculated.push({ id: tag, maxPayment: Number.isFinite(maxPayment) ? maxPayment : 0 });
      },
    };
  }

  /** Up to `count` calculated purchases that can be paid with points, taken out of the pool. */
  takePayable(count: number): Calculated[] {
    const taken: Calculated[] = [];
    const kept: Calculated[] = [];
    for (const p of this.calculated) {
      if (taken.length < count && p.maxPayment >= MIN_POINTS_PAYMENT) taken.push(p);
      else kept.push(p);
    }
    this.calculated.length = 0;
    for (const p of kept) this.calculated.push(p);
    return taken;
  }

  /** Up to `count` calculated purchases, oldest first, taken out of the pool. */
  take(count: number): Calculated[] {
    return this.calculated.splice(0, count);
  }

  /** Shuffles in place (the confirms of paid and unpaid purchases are mixed evenly). */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** A bonus payment of half the allowed points on each purchase. */
  bonusPayments(headers: Record<string, string>, purchases: Calculated[]): Workload {
    return listWorkload(headers, purchases, (p) => ({
      path: `/v1/purchases/${p.id}/bonus-payment`,
      body: `{"amount":${Math.floor(p.maxPayment / 2)}}`,
    }));
  }

  confirms(headers: Record<string, string>, purchases: Calculated[]): Workload {
    return listWorkload(headers, purchases, (p) => ({ path: `/v1/purchases/${p.id}/confirm`, body: "{}" }));
  }
}

/** One request per item of `items`, in order, each exactly once (autocannon is run with amount = length). */
export function listWorkload<T>(
  headers: Record<string, string>,
  items: T[],
  build: (item: T) => { path: string; body: string },
): Workload {
  let i = 0;
  return {
    method: "POST",
    headers,
    next() {
      const item = items[i++];
      if (item === undefined)
        throw new Error("list workload overrun: autocannon asked for more requests than planned");
      return { ...build(item), tag: String(i) };
    },
  };
}
