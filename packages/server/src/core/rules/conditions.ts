/**
 * The evaluation side of the condition registry (`@kopilka/contract` CONDITION_TYPES): each condition
 * type compiles once into a check that returns null when it holds, or a failure code. Texts for the codes
 * are made only when a simulation asks why.
 */
import type { Condition, ConditionParams, ConditionType, LeafCondition, ProductSet } from "@kopilka/contract";
import { formatRublesRu } from "./format.js";
import { daysFromCivil, isLeapYear, type LocalTime, localTimeOf } from "./local-time.js";
import type { HistoryFactSpec, RuleInput, RuleLine } from "./types.js";

/** Per-evaluation state that conditions share; filled lazily. */
export interface EvalContext {
  /** Unique to this evaluation: names the lines that product sets matched during it. */
  id: number;
  input: RuleInput;
  /** Normalized presented promo codes, or null when none. */
  promo: Set<string> | null;
  subtotal: number;
  /** undefined until asked; null when there is no store or its zone is unknown. */
  local: LocalTime | null | undefined;
}

export function localOf(ctx: EvalContext): LocalTime | null {
  if (ctx.local === undefined) {
    const store = ctx.input.store;
    if (!store) ctx.local = null;
    else {
      try {
        ctx.local = localTimeOf(ctx.input.now, store.timeZone);
      } catch {
        ctx.local = null;
      }
    }
  }
  return ctx.local;
}

let evaluations = 0;

/** An id no other evaluation in this process has had. */
export function nextEvaluationId(): number {
  return ++evaluations;
}

export function normalizePromoCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * n zeros. Per-line values (amounts, and 1/0 flags of which lines a set or effect reaches) are plain arrays:
 * small typed arrays cost far more to allocate, and a receipt allocates many.
 */
export function zeros(n: number): number[] {
  // Sized at once: cheaper than growing by push.
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = 0;
  return a;
}

// ---------------------------------------------------------------------------------------------------------
// Product sets

export interface ProductMatcher {
  /** Holds every product, known or not. */
  universal: boolean;
  all: boolean;
  skus: Set<string> | null;
  barcodes: Set<string> | null;
  categories: Set<string> | null;
  brands: Set<string> | null;
  manufacturers: Set<string> | null;
  /** The evaluation that `lines` belongs to: a condition and the rule's effects share one walk over the lines. */
  matchedIn: number;
  /** 1 for each line of that evaluation's receipt in the set. */
  lines: number[] | null;
}

const setOf = (values: readonly string[] | undefined): Set<string> | null =>
  values && values.length > 0 ? new Set(values) : null;

export function compileProductSet(set: ProductSet | undefined): ProductMatcher {
  const skus = setOf(set?.skus);
  const barcodes = setOf(set?.barcodes);
  const categories = setOf(set?.categories);
  const brands = setOf(set?.brands);
  const manufacturers = setOf(set?.manufacturers);
  return {
    universal: !skus && !barcodes && !categories && !brands && !manufacturers,
    all: set?.match === "all",
    skus,
    barcodes,
    categories,
    brands,
    manufacturers,
    matchedIn: 0,
    lines: null,
  };
}

/** Which lines of the receipt are in the set (1 each); computed once per evaluation. Do not modify it. */
export function matchedLines(m: ProductMatcher, ctx: EvalContext): number[] {
  if (m.matchedIn === ctx.id) return m.lines!;
  const lines = ctx.input.lines;
  const matched = zeros(lines.length);
  for (let i = 0; i < lines.length; i++) if (productMatches(m, lines[i]!)) matched[i] = 1;
  m.matchedIn = ctx.id;
  m.lines = matched;
  return matched;
}

export function productMatches(m: ProductMatcher, line: RuleLine): boolean {
  if (m.universal) return true;
  const p = line.product;
  if (m.all) {
    if (m.barcodes && !(line.barcode !== null && m.barcodes.has(line.barcode))) return false;
    if (!p) return !m.skus && !m.categories && !m.brands && !m.manufacturers;
    if (m.skus && !m.skus.has(p.sku)) return false;
    if (m.categories && !(p.category !== null && m.categories.has(p.category))) return false;
    if (m.brands && !(p.brand !== null && m.brands.has(p.brand))) return false;
    if (m.manufacturers && !(p.manufacturer !== null && m.manufacturers.has(p.manufacturer))) return false;
    return true;
  }
  if (m.barcodes && line.barcode !== null && m.barcodes.has(line.barcode)) return true;
  if (!p) return false;
  if (m.skus?.has(p.sku)) return true;
  if (m.categories && p.category !== null && m.categories.has(p.category)) return true;
  if (m.brands && p.brand !== null && m.brands.has(p.brand)) return true;
  if (m.manufacturers && p.manufacturer !== null && m.manufacturers.has(p.manufacturer)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// Conditions

export interface CompiledCondition {
  /** e.g. `conditions[2]` */
  path: string;
  type: ConditionType | "any";
  check(ctx: EvalContext): string | null;
  /** Readable text for a failure code of this condition. */
  describe(code: string, ctx: EvalContext): string;
  /** For `products` conditions: the set, used to index the rule and to pick the lines effects apply to. */
  productSet?: ProductMatcher;
  /** For `products` conditions: holds as soon as one line is in the set (no minimum quantity or amount). */
  oneLineSuffices?: boolean;
  /** For any-groups: their members, to explain which failed. */
  members?: CompiledCondition[];
  /** For `purchase_history`: the fact it reads. */
  historyFact?: HistoryFactSpec;
  /** For `promo_code`: normalized codes. */
  promoCodes?: string[];
  needsLocalTime: boolean;
}

export function historyFactKey(metric: string, period: string, days?: number): string {
  return period === "last_days" ? `${metric}:${period}:${days}` : `${metric}:${period}`;
}

const CODE_TEXT: Record<string, string> = {
  NO_STORE: "магазин неизвестен",
  TIMEZONE_INVALID: "часовой пояс магазина неизвестен",
  NO_CARD: "карта не предъявлена",
  FACT_MISSING: "нет данных о клиенте или истории покупок",
  PROMO_CODE_ABSENT: "промокод не предъявлен",
};

type Check<K extends ConditionType> = (
  p: ConditionParams<K>,
) => Pick<CompiledCondition, "check" | "describe"> & Partial<CompiledCondition>;

const fixed = (code: string, text: string) => (c: string) => CODE_TEXT[c] ?? (c === code ? text : c);

const BUILDERS: { [K in ConditionType]: Check<K> } = {
  partners: (p) => {
    const partners = new Set(p.partners);
    return {
      check: (ctx) =>
        !ctx.input.store ? "NO_STORE" : partners.has(ctx.input.store.partner) ? null : "PARTNER_NOT_LISTED",
      describe: fixed("PARTNER_NOT_LISTED", `партнёр не из списка (${p.partners.join(", ")})`),
    };
  },
  stores: (p) => {
    const stores = new Set(p.stores);
    return {
      check: (ctx) =>
        !ctx.input.store ? "NO_STORE" : stores.has(ctx.input.store.code) ? null : "STORE_NOT_LISTED",
      describe: fixed("STORE_NOT_LISTED", `магазин не из списка (${p.stores.join(", ")})`),
    };
  },
  date_range: (p) => {
    const from = p.from
      ? daysFromCivil(+p.from.slice(0, 4), +p.from.slice(5, 7), +p.from.slice(8, 10))
      : null;
    const to = p.to ? daysFromCivil(+p.to.slice(0, 4), +p.to.slice(5, 7), +p.to.slice(8, 10)) : null;
    return {
      needsLocalTime: true,
      check: (ctx) => {
        const local = localOf(ctx);
        if (!local) return ctx.input.store ? "TIMEZONE_INVALID" : "NO_STORE";
        if (from !== null && local.dayNumber < from) return "DATE_OUTSIDE_RANGE";
        if (to !== null && local.dayNumber > to) return "DATE_OUTSIDE_RANGE";
        return null;
      },
      describe: fixed("DATE_OUTSIDE_RANGE", `местная дата вне периода ${p.from ?? "…"} — ${p.to ?? "…"}`),
    };
  },
  weekdays: (p) => {
    let mask = 0;
    for (const d of p.days) mask |= 1 << d;
    return {
      needsLocalTime: true,
      check: (ctx) => {
        const local = localOf(ctx);
        if (!local) return ctx.input.store ? "TIMEZONE_INVALID" : "NO_STORE";
        return mask & (1 << local.weekday) ? null : "WEEKDAY_NOT_LISTED";
      },
      describe: fixed("WEEKDAY_NOT_LISTED", `местный день недели не из списка (${p.days.join(", ")})`),
    };
  },
  time_of_day: (p) => {
    const from = Number(p.from.slice(0, 2)) * 60 + Number(p.from.slice(3, 5));
    const to = Number(p.to.slice(0, 2)) * 60 + Number(p.to.slice(3, 5));
    return {
      needsLocalTime: true,
      check: (ctx) => {
        const local = localOf(ctx);
        if (!local) return ctx.input.store ? "TIMEZONE_INVALID" : "NO_STORE";
        const m = local.minuteOfDay;
        const inside = from < to ? m >= from && m < to : m >= from || m < to;
        return inside ? null : "TIME_OUTSIDE_RANGE";
      },
      describe: fixed("TIME_OUTSIDE_RANGE", `местное время вне интервала ${p.from}–${p.to}`),
    };
  },
  card_levels: (p) => {
    const levels = new Set(p.levels);
    return {
      check: (ctx) => {
        const card = ctx.input.card;
        if (!card) return "NO_CARD";
        return card.level !== null && levels.has(card.level) ? null : "CARD_LEVEL_NOT_LISTED";
      },
      describe: fixed("CARD_LEVEL_NOT_LISTED", `уровень карты не из списка (${p.levels.join(", ")})`),
    };
  },
  card_statuses: (p) => {
    const statuses = new Set<string>(p.statuses);
    return {
      check: (ctx) => {
        const card = ctx.input.card;
        if (!card) return "NO_CARD";
        return statuses.has(card.status) ? null : "CARD_STATUS_NOT_LISTED";
      },
      describe: fixed("CARD_STATUS_NOT_LISTED", `статус карты не из списка (${p.statuses.join(", ")})`),
    };
  },
  birthday: (p) => ({
    needsLocalTime: true,
    check: (ctx) => {
      const birthday = ctx.input.client?.birthday;
      if (!birthday) return "FACT_MISSING";
      const local = localOf(ctx);
      if (!local) return ctx.input.store ? "TIMEZONE_INVALID" : "NO_STORE";
      const md = birthday.length === 10 ? birthday.slice(5) : birthday;
      const month = Number(md.slice(0, 2));
      const day = Number(md.slice(3, 5));
      if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return "FACT_MISSING";
      for (let year = local.year - 1; year <= local.year + 1; year++) {
        // A 29 February birthday is kept on 28 February in common years.
        const d = month === 2 && day === 29 && !isLeapYear(year) ? 28 : day;
        const delta = daysFromCivil(year, month, d) - local.dayNumber;
        if ((delta >= 0 && delta <= p.daysBefore) || (delta < 0 && -delta <= p.daysAfter)) return null;
      }
      return "BIRTHDAY_NOT_NEAR";
    },
    describe: fixed(
      "BIRTHDAY_NOT_NEAR",
      `день рождения не в пределах ${p.daysBefore} дн. до и ${p.daysAfter} дн. после`,
    ),
  }),
  client_attribute: (p) => {
    const field = {
      registered: "registered",
      phone_confirmed: "phoneConfirmed",
      email_confirmed: "emailConfirmed",
      first_purchase: "firstPurchase",
    }[p.attribute] as "registered" | "phoneConfirmed" | "emailConfirmed" | "firstPurchase";
    return {
      check: (ctx) => {
        const value = ctx.input.client?.[field];
        if (value === undefined) return "FACT_MISSING";
        return value === p.value ? null : "CLIENT_ATTRIBUTE_MISMATCH";
      },
      describe: fixed("CLIENT_ATTRIBUTE_MISMATCH", `у клиента ${p.attribute} ≠ ${p.value}`),
    };
  },
  receipt_total: (p) => ({
    check: (ctx) => (ctx.subtotal >= p.min ? null : "RECEIPT_TOTAL_TOO_LOW"),
    describe: fixed("RECEIPT_TOTAL_TOO_LOW", `сумма чека меньше ${formatRublesRu(p.min)}`),
  }),
  products: (p) => {
    const set = compileProductSet(p.set);
    const minQuantity = p.minQuantity ?? 0;
    const minAmount = p.minAmount ?? 0;
    return {
      productSet: set,
      oneLineSuffices: minQuantity <= 0 && minAmount <= 0,
      check: (ctx) => {
        const lines = ctx.input.lines;
        const matched = matchedLines(set, ctx);
        let found = false;
        let quantity = 0;
        let amount = 0;
        for (let i = 0; i < lines.length; i++) {
          if (matched[i] === 0) continue;
          const line = lines[i]!;
          found = true;
          quantity += line.quantity;
          amount += line.amount;
        }
        if (!found) return "PRODUCTS_MISSING";
        if (quantity < minQuantity) return "PRODUCTS_QUANTITY_TOO_LOW";
        if (amount < minAmount) return "PRODUCTS_AMOUNT_TOO_LOW";
        return null;
      },
      describe: (code) =>
        code === "PRODUCTS_MISSING"
          ? "в чеке нет товаров из набора"
          : code === "PRODUCTS_QUANTITY_TOO_LOW"
            ? `товаров из набора меньше ${minQuantity / 1000} шт.`
            : `товаров из набора меньше чем на ${formatRublesRu(minAmount)}`,
    };
  },
  purchase_history: (p) => {
    const key = historyFactKey(p.metric, p.period, p.days);
    const min = p.min ?? 0;
    const max = p.max ?? Number.POSITIVE_INFINITY;
    const historyFact: HistoryFactSpec = { key, metric: p.metric, period: p.period };
    if (p.days !== undefined) historyFact.days = p.days;
    return {
      historyFact,
      check: (ctx) => {
        const value = ctx.input.history?.[key];
        if (value === undefined) return "FACT_MISSING";
        return value >= min && value <= max ? null : "HISTORY_OUT_OF_RANGE";
      },
      describe: (code, ctx) =>
        code === "FACT_MISSING"
          ? `нет факта истории покупок ${key}`
          : `история покупок ${key} = ${ctx.input.history?.[key]}, нужно от ${min} до ${max === Number.POSITIVE_INFINITY ? "∞" : max}`,
    };
  },
  promo_code: (p) => {
    const codes = p.codes.map(normalizePromoCode);
    return {
      promoCodes: codes,
      check: (ctx) => {
        const promo = ctx.promo;
        if (promo) for (const c of codes) if (promo.has(c)) return null;
        return "PROMO_CODE_ABSENT";
      },
      describe: fixed("PROMO_CODE_ABSENT", "промокод не предъявлен"),
    };
  },
  points_payment: (p) => ({
    check: (ctx) => ((ctx.input.pointsPayment === true) === p.present ? null : "POINTS_PAYMENT_MISMATCH"),
    describe: fixed(
      "POINTS_PAYMENT_MISMATCH",
      p.present ? "чек не оплачивается баллами" : "чек оплачивается баллами",
    ),
  }),
};

export function compileCondition(condition: Condition, path: string): CompiledCondition {
  if (condition.type === "any") {
    const members = condition.conditions.map((c, i) => compileCondition(c, `${path}.conditions[${i}]`));
    return {
      path,
      type: "any",
      members,
      needsLocalTime: members.some((m) => m.needsLocalTime),
      check: (ctx) => {
        for (const m of members) if (m.check(ctx) === null) return null;
        return "NONE_OF_ANY";
      },
      describe: (_code, ctx) =>
        `ни одно из условий группы не выполнено: ${members
          .map((m) => {
            const c = m.check(ctx);
            return c === null ? "" : `${m.path}: ${m.describe(c, ctx)}`;
          })
          .join("; ")}`,
    };
  }
  const leaf = condition as LeafCondition;
  const built = (BUILDERS[leaf.type] as Check<typeof leaf.type>)(leaf.params as never);
  return { path, type: leaf.type, needsLocalTime: false, ...built };
}
