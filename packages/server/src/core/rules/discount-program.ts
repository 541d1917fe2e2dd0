/**
 * A manufacturer's discount program (PharmApi) compiled once into a per-line evaluator: a barcode lookup,
 * the price ceiling, the participating partners and stores, whole packs only, and per-card quantity
 * limits whose remaining quota arrives as facts. Each line gets a discount or a PharmApi line code saying
 * why not, and the packs it takes from each limit (the purchase flow reserves them).
 *
 * Whole packs only: a line's discount is computed on its whole packs (quantity rounded down to a pack);
 * the fraction of a pack is sold at full price, and a line of less than one pack gets code 6.
 */
import type { DiscountProgramDefinition, DiscountProgramLimit, PackDiscount } from "@kopilka/contract";
import { mulDivRound } from "../arithmetic.js";
import { compareLineIds } from "./engine.js";
import { formatRublesRu } from "./format.js";
import { civilFromDays, daysFromCivil, isoDateOfDayNumber, localTimeOf } from "./local-time.js";
import type { RuleStore } from "./types.js";

/** PharmApi line codes; 6 is the SDK's "no discount because of line parameters". */
export const LINE_CODES = {
  OK: 0,
  UNKNOWN_PRODUCT: 1,
  EMPTY_BARCODE: 101,
  NOT_IN_THIS_STORE: 10,
  OVER_LIMIT: 3,
  LIMIT_EXHAUSTED: 301,
  LINE_PARAMETERS: 6,
} as const;

export interface DiscountLineInput {
  lineId: string;
  /** GTIN/EAN as sent (the facade extracts it from a DataMatrix code); null or "" for a line without one. */
  barcode: string | null;
  /** Thousandths of a pack. */
  quantity: number;
  /** Kopecks per pack. */
  unitPrice: number;
}

/** The card's remaining quota of a limit (packs), as the limits store counts it for the current period. */
export interface LimitFact {
  remaining: number;
  /** When a spent period limit is available again (YYYY-MM-DD); computed for calendar periods if absent. */
  availableFrom?: string | null;
}

export interface DiscountProgramInput {
  now: number;
  store: RuleStore | null;
  lines: readonly DiscountLineInput[];
  /** By limit id; a limit without a fact counts as untouched (its full maxPacks remain). */
  limits: Readonly<Record<string, LimitFact>>;
}

export interface LimitConsumption {
  limitId: string;
  packs: number;
}

export interface DiscountLineResult {
  lineId: string;
  code: number;
  /** Cashier/pharmacist text in Russian; empty when the line got its discount in full. */
  message: string;
  name: string | null;
  /** Kopecks off the whole line. */
  discount: number;
  type: "percent" | "cash" | null;
  /** Packs discounted. */
  packs: number;
  /** For code 3: the date the limit allows more. */
  availableFrom: string | null;
  consumption: LimitConsumption[];
}

export interface DiscountProgramEvaluation {
  program: string;
  version: number;
  lines: DiscountLineResult[];
  discountTotal: number;
  /** Packs taken per limit over the receipt: reserve these at calculate, consume them at confirm. */
  consumption: LimitConsumption[];
}

export interface DiscountProgramEngine {
  evaluate(input: DiscountProgramInput): DiscountProgramEvaluation;
  /** The window [from, to) a period limit counts in, for loading its used quantity; null for lifetime. */
  limitWindow(limitId: string, now: number, timeZone: string): { from: number; to: number } | null;
}

interface CompiledItem {
  name: string;
  discount: PackDiscount;
  ceiling: number | null;
  limits: DiscountProgramLimit[];
}

export function compileDiscountProgram(program: DiscountProgramDefinition): DiscountProgramEngine {
  const partners = program.partners ? new Set(program.partners) : null;
  const stores = program.stores ? new Set(program.stores) : null;
  const from = program.validFrom ? Date.parse(program.validFrom) : Number.NEGATIVE_INFINITY;
  const to = program.validTo ? Date.parse(program.validTo) : Number.POSITIVE_INFINITY;
  const items = new Map<string, CompiledItem>();
  for (const item of program.items)
    items.set(item.barcode, {
      name: item.name,
      discount: item.discount,
      ceiling: item.priceCeiling ?? program.priceCeiling ?? null,
      limits: program.limits.filter((l) => !l.barcodes || l.barcodes.includes(item.barcode)),
    });
  const limitsById = new Map(program.limits.map((l) => [l.id, l]));

  function evaluate(input: DiscountProgramInput): DiscountProgramEvaluation {
    const n = input.lines.length;
    const results: DiscountLineResult[] = new Array(n);
    const remaining = new Map<string, number>();
    const used = new Map<string, number>();
    const store = input.store;
    const inStore =
      store !== null && (!partners || partners.has(store.partner)) && (!stores || stores.has(store.code));
    const active = input.now >= from && input.now < to;
    // Lines share the card's quota in line id order, so the result does not depend on the request's order.
    const order = input.lines.map((_, i) => i);
    order.sort((a, b) => compareLineIds(input.lines[a]!.lineId, input.lines[b]!.lineId));
    for (const i of order) {
      const line = input.lines[i]!;
      const result: DiscountLineResult = {
        lineId: line.lineId,
        code: LINE_CODES.OK,
        message: "",
        name: null,
        discount: 0,
        type: null,
        packs: 0,
        availableFrom: null,
        consumption: [],
      };
      results[i] = result;
      if (!line.barcode) {
        result.code = LINE_CODES.EMPTY_BARCODE;
        result.message = "Не указан штрихкод";
        continue;
      }
      const item = items.get(line.barcode);
      if (!item) {
        result.code = LINE_CODES.UNKNOWN_PRODUCT;
        result.message = "Товар не участвует в программе";
        continue;
      }
      result.name = item.name;
      result.type = item.discount.type === "percent" ? "percent" : "cash";
      if (!inStore || !active) {
        result.code = LINE_CODES.NOT_IN_THIS_STORE;
        result.message = active ? "Программа не действует в этой аптеке" : "Программа сейчас не действует";
        continue;
      }
      if (item.ceiling !== null && line.unitPrice > item.ceiling) {
        result.code = LINE_CODES.LINE_PARAMETERS;
        result.message = `Скидка только при цене упаковки не выше ${formatRublesRu(item.ceiling)}`;
        continue;
      }
      const wholePacks = Math.floor(line.quantity / 1000);
      if (wholePacks === 0) {
        result.code = LINE_CODES.LINE_PARAMETERS;
        result.message = "Скидка только на целые упаковки";
        continue;
      }
      let packs = wholePacks;
      let exhaustedForGood = false;
      let blockedUntil: string | null = null;
      let blockedWithoutDate = false;
      for (const limit of item.limits) {
        let left = remaining.get(limit.id);
        if (left === undefined) {
          left = Math.max(0, Math.min(limit.maxPacks, input.limits[limit.id]?.remaining ?? limit.maxPacks));
          remaining.set(limit.id, left);
        }
        if (left < packs) packs = left;
        if (left === 0) {
          if (limit.period === "lifetime") exhaustedForGood = true;
          else {
            const date =
              input.limits[limit.id]?.availableFrom ?? nextPeriodStart(limit, input.now, store!.timeZone);
            if (date === null) blockedWithoutDate = true;
            else if (blockedUntil === null || date > blockedUntil) blockedUntil = date;
          }
        }
      }
      if (packs === 0) {
        if (exhaustedForGood) {
          result.code = LINE_CODES.LIMIT_EXHAUSTED;
          result.message = "Лимит по карте исчерпан";
        } else {
          result.code = LINE_CODES.OVER_LIMIT;
          result.availableFrom = blockedWithoutDate ? null : blockedUntil;
          result.message = result.availableFrom
            ? `Лимит по карте исчерпан, скидка снова доступна с ${formatDateRu(result.availableFrom)}`
            : "Лимит по карте на период исчерпан";
        }
        continue;
      }
      const perPack = packDiscount(item.discount, line.unitPrice);
      const discount =
        item.discount.type === "percent"
          ? mulDivRound(line.unitPrice * packs, item.discount.percentBp ?? 0, 10_000)
          : perPack * packs;
      if (discount === 0) {
        result.code = LINE_CODES.LINE_PARAMETERS;
        result.message = "Цена уже не выше цены по программе";
        continue;
      }
      result.discount = discount;
      result.packs = packs;
      for (const limit of item.limits) {
        remaining.set(limit.id, remaining.get(limit.id)! - packs);
        used.set(limit.id, (used.get(limit.id) ?? 0) + packs);
        result.consumption.push({ limitId: limit.id, packs });
      }
      if (packs < wholePacks) result.message = `Скидка на ${packs} уп. из ${wholePacks}: лимит по карте`;
      else if (wholePacks * 1000 < line.quantity) result.message = "Скидка только на целые упаковки";
    }
    let discountTotal = 0;
    for (const r of results) discountTotal += r.discount;
    return {
      program: program.code,
      version: program.version,
      lines: results,
      discountTotal,
      consumption: [...used].map(([limitId, packs]) => ({ limitId, packs })),
    };
  }

  return {
    evaluate,
    limitWindow(limitId, now, timeZone) {
      const limit = limitsById.get(limitId);
      if (!limit) throw new RangeError(`unknown limit ${limitId}`);
      return periodWindow(limit, now, timeZone);
    },
  };
}

function packDiscount(d: PackDiscount, unitPrice: number): number {
  if (d.type === "cash") return Math.min(d.amount ?? 0, unitPrice);
  if (d.type === "fixed_price") return Math.max(0, unitPrice - (d.price ?? unitPrice));
  return 0;
}

/** Local day numbers [start, end) of the period containing `now`; null for lifetime. */
function periodDays(limit: DiscountProgramLimit, now: number, timeZone: string): [number, number] | null {
  const local = localTimeOf(now, timeZone);
  const today = local.dayNumber;
  switch (limit.period) {
    case "day":
      return [today, today + 1];
    case "calendar_week": {
      const monday = today - (local.weekday - 1);
      return [monday, monday + 7];
    }
    case "calendar_month": {
      const start = daysFromCivil(local.year, local.month, 1);
      const next =
        local.month === 12
          ? daysFromCivil(local.year + 1, 1, 1)
          : daysFromCivil(local.year, local.month + 1, 1);
      return [start, next];
    }
    case "calendar_year":
      return [daysFromCivil(local.year, 1, 1), daysFromCivil(local.year + 1, 1, 1)];
    case "last_days":
      return [today - (limit.days ?? 1) + 1, today + 1];
    default:
      return null;
  }
}

function nextPeriodStart(limit: DiscountProgramLimit, now: number, timeZone: string): string | null {
  // A rolling window frees quota as old purchases age out: only the limits store knows when.
  if (limit.period === "last_days") return null;
  const days = periodDays(limit, now, timeZone);
  return days ? isoDateOfDayNumber(days[1]) : null;
}

/** Epoch ms bounds of a limit's current period in the store's zone (local midnights). */
export function periodWindow(
  limit: DiscountProgramLimit,
  now: number,
  timeZone: string,
): { from: number; to: number } | null {
  const days = periodDays(limit, now, timeZone);
  if (!days) return null;
  return { from: localMidnight(days[0], timeZone), to: localMidnight(days[1], timeZone) };
}

/** The instant of local midnight starting a local day, found from the zone's offset around it. */
function localMidnight(dayNumber: number, timeZone: string): number {
  const guess = dayNumber * 86_400_000;
  // Two rounds settle the offset even across a transition near midnight.
  let t = guess;
  for (let k = 0; k < 2; k++) {
    const local = localTimeOf(t, timeZone);
    const localMs = local.dayNumber * 86_400_000 + local.minuteOfDay * 60_000;
    t = guess - (localMs - t);
  }
  return t;
}

function formatDateRu(iso: string): string {
  const c = civilFromDays(
    daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))),
  );
  return `${String(c.day).padStart(2, "0")}.${String(c.month).padStart(2, "0")}.${c.year}`;
}
