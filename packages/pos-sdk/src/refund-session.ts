/**
 * A refund by the original sale (seed 002, "Возврат"): the original receipt is restored from the server,
 * the lines not returned are removed, the refund receipt is printed, and then the refund goes to the server
 * through the outbox, which reverses the accrual and gives back the points paid, in proportion (or as the
 * till states, within the program's policy).
 */
import type { KopilkaClient } from "./client.js";
import type { Outbox, OutboxItem } from "./outbox.js";
import type { PurchaseDetail, RefundRequest, RefundView } from "./types.js";

export interface RefundableLine {
  lineId: string;
  sku: string | null;
  barcode: string | null;
  /** What is left to return, thousandths. */
  quantity: number;
  unitPrice: number;
  discount: number;
  pointsPaid: number;
  accrual: number;
}

export interface RefundOutcome {
  item: OutboxItem;
  /** The server's answer when it landed within the wait; otherwise the outbox keeps trying. */
  view?: RefundView;
}

export class RefundSession {
  private original: PurchaseDetail | null = null;
  private chosen: { lineId: string; quantity: number }[] | null = null;

  constructor(
    private readonly client: KopilkaClient,
    private readonly outbox: Outbox,
  ) {}

  /** Restores the original receipt; every line with something left to return is chosen. */
  async restore(purchaseId: string): Promise<RefundableLine[]> {
    this.original = await this.client.purchase(purchaseId);
    this.chosen = null;
    return this.refundable();
  }

  get purchase(): PurchaseDetail | null {
    return this.original;
  }

  refundable(): RefundableLine[] {
    if (!this.original) return [];
    return this.original.lines
      .filter((l) => l.quantity > l.refundedQuantity)
      .map((l) => ({
        lineId: l.lineId,
        sku: l.sku,
        barcode: l.barcode,
        quantity: l.quantity - l.refundedQuantity,
        unitPrice: l.unitPrice,
        discount: l.discount,
        pointsPaid: l.pointsPaid,
        accrual: l.accrual,
      }));
  }

  /** Keeps only these lines and quantities (the others are removed from the refund receipt). */
  choose(lines: { lineId: string; quantity?: number }[]): { lineId: string; quantity: number }[] {
    const left = new Map(this.refundable().map((l) => [l.lineId, l.quantity]));
    this.chosen = lines.map((l) => {
      const max = left.get(l.lineId);
      if (max === undefined) throw new RangeError(`line ${l.lineId} has nothing left to return`);
      const quantity = l.quantity ?? max;
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > max)
        throw new RangeError(`line ${l.lineId}: return 1 to ${max} thousandths`);
      return { lineId: l.lineId, quantity };
    });
    return this.chosen;
  }

  /**
   * The refund receipt is printed: the refund is written to the outbox and sent. `refundId` is the refund
   * receipt's own id (its idempotency key). Waits up to `waitMs` for the answer.
   */
  async afterFiscal(
    refundId: string,
    options: { pointsToReturn?: number; accrualToReverse?: number; waitMs?: number } = {},
  ): Promise<RefundOutcome> {
    if (!this.original) throw new Error("restore the original receipt first");
    const body: RefundRequest = {
      refundId,
      ...(this.chosen ? { lines: this.chosen } : {}),
      ...(options.pointsToReturn !== undefined ? { pointsToReturn: options.pointsToReturn } : {}),
      ...(options.accrualToReverse !== undefined ? { accrualToReverse: options.accrualToReverse } : {}),
    };
    const queued = this.outbox.enqueue({ kind: "refund", purchaseId: this.original.purchaseId, body });
    const item = await this.outbox.settle(queued.id, options.waitMs ?? this.client.timeoutOf("refund"));
    return { item, ...(item.status === "delivered" ? { view: item.answer as RefundView } : {}) };
  }
}
