/**
 * How a purchase's receipt is stored in `purchases.receipt`: the StoredReceipt as JSON, with each line
 * packed as an array of its fields in a fixed order instead of an object with named keys.
 *
 * Every calculate writes one, so its size is paid on the hot path: in the JSON text, a line's field names
 * and the names in each rule's part of its discount and accrual were two thirds of the bytes, and a
 * 10-line receipt of a program with many rules (6 KB) no longer fitted in one database page. Packed, the
 * same receipt takes about a third of that, and is quicker to write and to read back.
 *
 * The answers kept for replays (`confirm_response`, `cancel_response`) carry the same lines and are stored
 * the same way.
 *
 * The packing is exact: reading the text gives back the receipt as JSON would have. A line whose shape is
 * not the one packed here (a field missing, a rule's part with other keys) is stored as an object, as every
 * line was before this format; the reader takes both, so rows written before it read as they always did.
 *
 * A packed line: [lineId, sku, barcode, productKnown, quantity, unitPrice, amount, discount, discountRuleId,
 * total, accrualRateBp, accrualRuleId, pointsPaymentCap, pointsPaid, accrual, refundedQuantity,
 * refundedAmount, pointsReturned, accrualReversed, discounts, accruals, other?], where `discounts` is null
 * (absent) or the flat list ruleId, version, amount of each part, `accruals` is null or the flat list
 * ruleId, version, amount, rateBp of each part, and `other` holds the line's remaining fields
 * (e.g. `programLine`) when it has any.
 */
import type { PricedLine, RuleAccrual, RuleAmount } from "../../core/receipt.js";
import type { StoredReceipt } from "./purchase-record.js";

const SCALAR_FIELDS = [
  "lineId",
  "sku",
  "barcode",
  "productKnown",
  "quantity",
  "unitPrice",
  "amount",
  "discount",
  "discountRuleId",
  "total",
  "accrualRateBp",
  "accrualRuleId",
  "pointsPaymentCap",
  "pointsPaid",
  "accrual",
  "refundedQuantity",
  "refundedAmount",
  "pointsReturned",
  "accrualReversed",
] as const satisfies readonly (keyof PricedLine)[];

const DISCOUNTS_AT = SCALAR_FIELDS.length;
const ACCRUALS_AT = DISCOUNTS_AT + 1;
const OTHER_AT = ACCRUALS_AT + 1;
const PACKED_FIELDS = new Set<string>([...SCALAR_FIELDS, "discounts", "accruals"]);

type PackedLine = unknown[];

/** The receipt as stored in `purchases.receipt`. */
export function receiptText(receipt: StoredReceipt): string {
  return packedLinesText(receipt);
}

/** The receipt of a `purchases.receipt` text, in either form its lines are stored in. */
export function receiptOfText(text: string): StoredReceipt {
  return parsePackedLines<StoredReceipt>(text);
}

/** Only the lines of a `purchases.receipt` text (reports, roll-ups). */
export function linesOfReceiptText(text: string): PricedLine[] {
  return unpackLines((JSON.parse(text) as { lines: unknown[] }).lines);
}

/**
 * JSON of a value whose `lines` are priced lines, with the lines packed: a stored receipt, or an answer
 * kept for replays (`confirm_response`, `cancel_response`), which carries the same lines.
 */
export function packedLinesText(value: { lines: readonly PricedLine[] }): string {
  const lines = value.lines;
  const packed = new Array<PackedLine | PricedLine>(lines.length);
  for (let i = 0; i < lines.length; i++) packed[i] = packLine(lines[i]!) ?? lines[i]!;
  return JSON.stringify({ ...value, lines: packed });
}

/** The value of a packedLinesText, or of plain JSON (its lines, if any, are then left as they are). */
export function parsePackedLines<T>(text: string): T {
  const value = JSON.parse(text) as { lines?: unknown };
  if (Array.isArray(value.lines)) value.lines = unpackLines(value.lines);
  return value as T;
}

function unpackLines(stored: unknown[]): PricedLine[] {
  const lines = new Array<PricedLine>(stored.length);
  for (let i = 0; i < stored.length; i++) {
    const line = stored[i];
    lines[i] = Array.isArray(line) ? unpackLine(line) : (line as PricedLine);
  }
  return lines;
}

/** The packed line, or null when the line has a shape this format does not pack exactly. */
function packLine(line: PricedLine): PackedLine | null {
  const packed: PackedLine = new Array(OTHER_AT);
  for (let f = 0; f < SCALAR_FIELDS.length; f++) {
    const value = line[SCALAR_FIELDS[f]!];
    // JSON leaves out a field that is undefined; an array would store null in its place.
    if (value === undefined) return null;
    packed[f] = value;
  }
  const discounts = line.discounts === undefined ? null : packParts(line.discounts, false);
  const accruals = line.accruals === undefined ? null : packParts(line.accruals, true);
  if (discounts === undefined || accruals === undefined) return null;
  packed[DISCOUNTS_AT] = discounts;
  packed[ACCRUALS_AT] = accruals;
  let other: Record<string, unknown> | null = null;
  for (const key in line) {
    if (PACKED_FIELDS.has(key)) continue;
    const value = (line as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    other ??= {};
    other[key] = value;
  }
  if (other) packed.push(other);
  return packed;
}

/** The flat list of the rule parts, or undefined when a part has fields other than these. */
function packParts(parts: readonly (RuleAmount | RuleAccrual)[], withRate: boolean): number[] | undefined {
  if (!Array.isArray(parts)) return undefined;
  const width = withRate ? 4 : 3;
  const flat = new Array<number>(parts.length * width);
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k];
    if (typeof part !== "object" || part === null) return undefined;
    let fields = 0;
    for (const _ in part) fields++;
    const rateBp = (part as RuleAccrual).rateBp;
    if (
      fields !== width ||
      part.ruleId === undefined ||
      part.version === undefined ||
      part.amount === undefined
    )
      return undefined;
    if (withRate && rateBp === undefined) return undefined;
    const at = k * width;
    flat[at] = part.ruleId;
    flat[at + 1] = part.version;
    flat[at + 2] = part.amount;
    if (withRate) flat[at + 3] = rateBp;
  }
  return flat;
}

function unpackLine(p: PackedLine): PricedLine {
  const discounts = p[DISCOUNTS_AT] as number[] | null;
  const accruals = p[ACCRUALS_AT] as number[] | null;
  // Field by field, in the order pricing builds a line (core/receipt.ts).
  const line = {
    lineId: p[0],
    sku: p[1],
    barcode: p[2],
    productKnown: p[3],
    quantity: p[4],
    unitPrice: p[5],
    amount: p[6],
    discount: p[7],
    discountRuleId: p[8],
    ...(discounts === null ? {} : { discounts: unpackAmounts(discounts) }),
    total: p[9],
    accrualRateBp: p[10],
    accrualRuleId: p[11],
    ...(accruals === null ? {} : { accruals: unpackAccruals(accruals) }),
    pointsPaymentCap: p[12],
    pointsPaid: p[13],
    accrual: p[14],
    refundedQuantity: p[15],
    refundedAmount: p[16],
    pointsReturned: p[17],
    accrualReversed: p[18],
  } as PricedLine;
  const other = p[OTHER_AT] as Record<string, unknown> | undefined;
  return other ? Object.assign(line, other) : line;
}

function unpackAmounts(flat: readonly number[]): RuleAmount[] {
  const parts = new Array<RuleAmount>(flat.length / 3);
  for (let k = 0; k < parts.length; k++)
    parts[k] = { ruleId: flat[3 * k]!, version: flat[3 * k + 1]!, amount: flat[3 * k + 2]! };
  return parts;
}

function unpackAccruals(flat: readonly number[]): RuleAccrual[] {
  const parts = new Array<RuleAccrual>(flat.length / 4);
  for (let k = 0; k < parts.length; k++)
    parts[k] = {
      ruleId: flat[4 * k]!,
      version: flat[4 * k + 1]!,
      amount: flat[4 * k + 2]!,
      rateBp: flat[4 * k + 3]!,
    };
  return parts;
}
