/**
 * A discount program as the page edits it, and back: money typed in rubles and discounts in percent,
 * converted through decimal strings (no floating point); a value that does not convert is sent as typed,
 * so the server's complaint names the field. Validity instants are shown in the browser's time zone.
 */
import { ApiError } from "../../api/client.ts";
import type {
  DiscountProgram,
  DiscountProgramBody,
  DiscountProgramCardRange,
  DiscountProgramItem,
  DiscountProgramLimit,
} from "../../api/types.ts";
import { formatScaled, parseScaled } from "../../components/SchemaForm.tsx";

export type DiscountType = DiscountProgramItem["discount"]["type"];
export type LimitPeriod = DiscountProgramLimit["period"];
export const DISCOUNT_TYPES: readonly DiscountType[] = ["percent", "cash", "fixed_price"];
export const LIMIT_PERIODS: readonly LimitPeriod[] = [
  "day",
  "calendar_week",
  "calendar_month",
  "calendar_year",
  "last_days",
  "lifetime",
];

let nextKey = 0;
/** Rows get a key of their own: barcodes are edited and may repeat until the server says otherwise. */
export const rowKey = () => `row-${++nextKey}`;

export interface ItemDraft {
  key: string;
  barcode: string;
  name: string;
  type: DiscountType;
  /** Percent for `percent`, rubles for `cash` and `fixed_price`. */
  value: string;
  /** Rubles; empty: no ceiling of its own. */
  priceCeiling: string;
}

export interface LimitDraft {
  key: string;
  id: string;
  period: LimitPeriod;
  days: string;
  maxPacks: string;
  barcodes: string[];
}

export interface RangeDraft {
  key: string;
  prefix: string;
  lengths: string[];
  activeSuffixes: string[];
}

export interface ProgramDraft {
  name: string;
  active: boolean;
  description: string;
  validFrom: string;
  validTo: string;
  priceCeiling: string;
  partners: string[];
  stores: string[];
  confirmWindowMinutes: string;
  confirmAllTogether: boolean;
  registration: boolean;
  items: ItemDraft[];
  limits: LimitDraft[];
  cardRanges: RangeDraft[];
}

const rubles = (kopecks: number) => formatScaled(kopecks, 2);
/** Decimal text → integer hundredths, or the text itself for the server to refuse. */
const hundredths = (text: string): number | string => parseScaled(text.trim(), 2) ?? text.trim();
const whole = (text: string): number | string =>
  /^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim();

export function itemValue(item: DiscountProgramItem): string {
  const d = item.discount;
  const n = d.type === "percent" ? d.percentBp : d.type === "cash" ? d.amount : d.price;
  return n === undefined ? "" : formatScaled(n, 2);
}

export function itemDraft(item: DiscountProgramItem): ItemDraft {
  return {
    key: rowKey(),
    barcode: item.barcode,
    name: item.name,
    type: item.discount.type,
    value: itemValue(item),
    priceCeiling: item.priceCeiling === undefined ? "" : rubles(item.priceCeiling),
  };
}

export function emptyItem(): ItemDraft {
  return { key: rowKey(), barcode: "", name: "", type: "percent", value: "", priceCeiling: "" };
}

export function emptyLimit(): LimitDraft {
  return { key: rowKey(), id: "", period: "calendar_month", days: "", maxPacks: "", barcodes: [] };
}

export function emptyRange(): RangeDraft {
  return { key: rowKey(), prefix: "", lengths: ["13"], activeSuffixes: [] };
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** An ISO instant as a `datetime-local` value in the browser's time zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as an instant with the browser's offset at that moment. */
export function fromLocalInput(text: string): string | null {
  if (!text) return null;
  const offset = -new Date(text).getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${text.length === 16 ? `${text}:00` : text}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * The address segment of the creation form, `discount-programs/new`: a program coded so could not be
 * opened at its own address, so the form refuses the code.
 */
export const NEW_PROGRAM = "new";

/** A program not yet saved: no products, every partner and store, the server's default sale policies. */
export function emptyDraft(): ProgramDraft {
  return {
    name: "",
    active: true,
    description: "",
    validFrom: "",
    validTo: "",
    priceCeiling: "",
    partners: [],
    stores: [],
    confirmWindowMinutes: "30",
    confirmAllTogether: false,
    registration: false,
    items: [],
    limits: [],
    cardRanges: [],
  };
}

export function draftOf(p: DiscountProgram): ProgramDraft {
  return {
    name: p.name,
    active: p.active,
    description: p.description ?? "",
    validFrom: toLocalInput(p.validFrom),
    validTo: toLocalInput(p.validTo),
    priceCeiling: p.priceCeiling === null ? "" : rubles(p.priceCeiling),
    partners: p.partners ?? [],
    stores: p.stores ?? [],
    confirmWindowMinutes: String(p.confirmWindowMinutes),
    confirmAllTogether: p.confirmAllTogether,
    registration: p.registration,
    items: p.items.map(itemDraft),
    limits: p.limits.map((l: DiscountProgramLimit) => ({
      key: rowKey(),
      id: l.id,
      period: l.period,
      days: l.days === undefined ? "" : String(l.days),
      maxPacks: String(l.maxPacks),
      barcodes: l.barcodes ?? [],
    })),
    cardRanges: p.cardRanges.map((r: DiscountProgramCardRange) => ({
      key: rowKey(),
      prefix: r.prefix,
      lengths: r.lengths.map(String),
      activeSuffixes: r.activeSuffixes ?? [],
    })),
  };
}

export function itemBody(i: ItemDraft): DiscountProgramItem {
  const value = hundredths(i.value);
  const field = i.type === "percent" ? "percentBp" : i.type === "cash" ? "amount" : "price";
  const item: Record<string, unknown> = {
    barcode: i.barcode.trim(),
    name: i.name.trim(),
    discount: { type: i.type, [field]: value },
  };
  if (i.priceCeiling.trim()) item.priceCeiling = hundredths(i.priceCeiling);
  return item as unknown as DiscountProgramItem;
}

/** The whole program as PUT replaces it and POST creates it, optional parts absent when left empty. */
export function bodyOf(d: ProgramDraft): DiscountProgramBody {
  const body: Record<string, unknown> = {
    name: d.name.trim(),
    active: d.active,
    validFrom: fromLocalInput(d.validFrom),
    validTo: fromLocalInput(d.validTo),
    items: d.items.map(itemBody),
    limits: d.limits.map((l) => {
      const limit: Record<string, unknown> = {
        id: l.id.trim(),
        period: l.period,
        maxPacks: whole(l.maxPacks),
      };
      if (l.days.trim()) limit.days = whole(l.days);
      if (l.barcodes.length) limit.barcodes = l.barcodes;
      return limit;
    }),
    cardRanges: d.cardRanges.map((r) => {
      const range: Record<string, unknown> = { prefix: r.prefix.trim(), lengths: r.lengths.map(whole) };
      if (r.activeSuffixes.length) range.activeSuffixes = r.activeSuffixes;
      return range;
    }),
    confirmWindowMinutes: whole(d.confirmWindowMinutes),
    confirmAllTogether: d.confirmAllTogether,
    registration: d.registration,
  };
  if (d.description.trim()) body.description = d.description.trim();
  if (d.priceCeiling.trim()) body.priceCeiling = hundredths(d.priceCeiling);
  if (d.partners.length) body.partners = d.partners;
  if (d.stores.length) body.stores = d.stores;
  return body as unknown as DiscountProgramBody;
}

/** The words for an issue the server finds in a whole program (its messages are English only). */
export type IssueWords = (code: string, vars: { field: string; row?: number; message: string }) => string;

/**
 * The server's complaints by field path. A discount's own fields (`items[3].discount.percentBp`) are
 * shown on the row's value column, `items[3].discount`.
 */
export function fieldErrors(error: unknown, words: IssueWords): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const issues = Array.isArray(error.details.issues)
    ? (error.details.issues as { field?: unknown; code?: unknown; message?: unknown }[])
    : error.field
      ? [{ field: error.field, message: error.message }]
      : [];
  const out: Record<string, string> = {};
  for (const issue of issues) {
    if (typeof issue.field !== "string") continue;
    const field = issue.field.replace(/^(items\[\d+\]\.discount)\..*$/, "$1");
    const message = typeof issue.message === "string" ? issue.message : error.message;
    const row = /items\[(\d+)\]/.exec(message)?.[1];
    out[field] ??=
      typeof issue.code === "string"
        ? words(issue.code, { field, message, ...(row === undefined ? {} : { row: Number(row) + 1 }) })
        : message;
  }
  return out;
}
