/**
 * A receipt priced by a manufacturer's discount program instead of the rule engine: the purchase commands
 * call `priceWithDiscountProgram` when the card's program is of kind `discount`. Each line gets the
 * program's verdict (PharmApi's line code and message) beside its discount; the limits it takes are
 * reserved by calculate (`reserveLimits`).
 */

import { lineAmount } from "../../core/arithmetic.js";
import type { CashierMessage } from "../../core/engine/types.js";
import type { PricedLine } from "../../core/receipt.js";
import type { DiscountProgramEvaluation } from "../../core/rules/discount-program.js";
import { formatRublesRu } from "../../core/rules/format.js";
import type { Database } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { type CompiledDiscountProgram, compiledDiscountProgram } from "./compiled.js";
import { limitFacts } from "./limits.js";

export interface DiscountReceiptLine {
  lineId: string;
  sku?: string;
  barcode?: string;
  /** Thousandths. */
  quantity: number;
  /** Kopecks per unit. */
  price: number;
}

export interface DiscountPricingInput {
  program: { id: number; code: string; version: number };
  store: { code: string; timezone: string };
  partnerCode: string;
  partnerId: number;
  cardNumber: string;
  purchaseExternalId: string;
  lines: readonly DiscountReceiptLine[];
  now: number;
  /** Purchases (row ids) whose holds the calculation releases in its own transaction: not counted. */
  releasing?: readonly number[];
}

export interface DiscountPriced {
  compiled: CompiledDiscountProgram;
  evaluation: DiscountProgramEvaluation;
  lines: PricedLine[];
  messages: CashierMessage[];
}

/**
 * Null when the program has no product-list definition: a `discount` program made of rules (discounts
 * only, no points) is priced by the rule engine as before.
 */
export async function priceWithDiscountProgram(
  database: Database,
  input: DiscountPricingInput,
): Promise<DiscountPriced | null> {
  const db = database.db;
  const compiled = await compiledDiscountProgram(database, db, input.program, input.program.version);
  if (!compiled) return null;
  const seen = new Set<string>();
  input.lines.forEach((line, i) => {
    if (seen.has(line.lineId))
      throw new DomainError("DUPLICATE_LINE_ID", `lineId ${line.lineId} appears twice`, {
        field: `lines[${i}].lineId`,
      });
    seen.add(line.lineId);
  });
  const limits = await limitFacts(
    database,
    compiled,
    input.cardNumber,
    input.now,
    input.store.timezone,
    { partnerId: input.partnerId, externalId: input.purchaseExternalId },
    input.releasing,
  );
  const evaluation = compiled.engine.evaluate({
    now: input.now,
    store: { code: input.store.code, partner: input.partnerCode, timeZone: input.store.timezone },
    lines: input.lines.map((l) => ({
      lineId: l.lineId,
      barcode: l.barcode ?? null,
      quantity: l.quantity,
      unitPrice: l.price,
    })),
    limits,
  });
  const lines: PricedLine[] = input.lines.map((l, i) => {
    const r = evaluation.lines[i]!;
    const amount = lineAmount(l.price, l.quantity);
    // Whole packs are discounted on a line whose fraction is sold at full price: never above the line.
    const discount = Math.min(r.discount, amount);
    return {
      lineId: l.lineId,
      sku: l.sku ?? null,
      barcode: l.barcode ?? null,
      productKnown: r.name !== null,
      quantity: l.quantity,
      unitPrice: l.price,
      amount,
      discount,
      discountRuleId: null,
      discounts: [],
      total: amount - discount,
      accrualRateBp: 0,
      accrualRuleId: null,
      accruals: [],
      pointsPaymentCap: 0,
      pointsPaid: 0,
      accrual: 0,
      refundedQuantity: 0,
      refundedAmount: 0,
      pointsReturned: 0,
      accrualReversed: 0,
      programLine: {
        code: r.code,
        message: r.code === 0 && r.message === "" ? "Снижение цены рассчитано" : r.message,
        name: r.name,
        type: r.type,
        packs: r.packs,
        availableFrom: r.availableFrom,
      },
    };
  });
  const total = lines.reduce((s, l) => s + l.discount, 0);
  const messages: CashierMessage[] =
    total > 0 ? [{ code: "DISCOUNT_APPLIED", text: `Скидка по программе: ${formatRublesRu(total)}` }] : [];
  return { compiled, evaluation, lines, messages };
}
