/**
 * The rule engine: a program's active rule definitions compiled once into an evaluator.
 *
 * Combination (the same text, with examples, is in RULES.md next to this file):
 * 1. Candidates. A rule with a `products` condition is indexed by the SKUs, barcodes, categories, brands
 *    or manufacturers of its set; otherwise by its `stores` or `partners` condition; otherwise it is
 *    always a candidate. Candidates whose validity window, or top-level stores, card_levels, weekdays,
 *    time_of_day or promo_code condition, the receipt's context fails are dropped before they are looked
 *    at (ContextFilter), and so is a rule whose `all` product set no line is in. A candidate found through
 *    its products condition has a line in the set, so that condition is not checked again unless it asks
 *    for a minimum quantity or amount. A receipt evaluates only
 *    the rules its lines and store reach, so the cost grows with the rules that can apply, not with the
 *    program's size. The result equals a full scan.
 * 2. Eligibility. A candidate applies when the instant is in [validFrom, validTo) and every condition
 *    holds (an `any` group holds when one member does).
 * 3. Competition. Rules of one exclusive group compete; the best for the customer wins: the larger money
 *    discount, then the larger accrual, then the higher accrual rate, then the higher priority, then the
 *    lower rule id. Each rule is valued alone against the line limits. A group competes for the whole
 *    receipt (`per: "receipt"`, default) or line by line (`per: "line"`). Stackable rules all apply.
 * 4. Discounts, in order of priority (higher first, then lower id). Stackable percentages add up on the
 *    line's price before discounts (10 % + 10 % = 20 %) and are rounded once per line (half up by
 *    default), then split between their rules by largest remainder. Each rule's discount on a line is
 *    granted up to what is left of the line's limit: the smaller of the line's maximum discount percent
 *    and its amount above the product's minimum price. A receipt discount is spread over its lines by
 *    their amounts, within what they have left, by largest remainder (equal remainders: the larger line,
 *    then the lower line id): the line parts sum exactly to the receipt discount granted. The receipt's
 *    maximum discount trims, in the same order, what the rules grant, so lower-priority rules lose first.
 * 5. Accruals on each line's total after discounts (the share paid with points is taken off later by
 *    `accrualAfterPointsPayment`): percentages, fixed points, multipliers of the line's base percentage.
 *    Only cards that are not blocked earn, and not on products excluded from accrual. The daily accrual
 *    allowance trims accruals in reverse priority order, and a cashier message says so; it never fails.
 * 6. Points payment: each line's cap is its total above the minimum price, at most the lowest share set by
 *    an applied rule (or the program's default share); excluded products and non-active cards pay none.
 * Every discount and accrual names the rule and version that produced it.
 */
import { EFFECT_TYPES, type Effect, type ProductSet, type RuleDefinition } from "@kopilka/contract";
import { allocate } from "../allocation.js";
import { lineAmount, mulDivFloor, mulDivRound, percentOf } from "../arithmetic.js";
import {
  type CompiledCondition,
  compileCondition,
  compileProductSet,
  type EvalContext,
  localOf,
  matchedLines,
  nextEvaluationId,
  normalizePromoCode,
  type ProductMatcher,
  productMatches,
  zeros,
} from "./conditions.js";
import { ContextFilter } from "./context-filter.js";
import { formatPointsRu, formatRublesRu } from "./format.js";
import type {
  AppliedRule,
  CashierMessage,
  Contribution,
  EvaluateOptions,
  Evaluation,
  HistoryFactSpec,
  IssuePromoCodeInstruction,
  LineResult,
  RuleEngine,
  RuleInput,
  RuleLine,
  RuleReason,
  RuleTerms,
  SkippedRule,
} from "./types.js";

/**
 * An effect with the numbers an offer reads on the same object, one shape for every type: in a server the
 * effects of a receipt's candidates are read from memory, not from the CPU's cache, and each object costs
 * a read. `effect` keeps the definition for the rest.
 */
interface CompiledEffect {
  type: Effect["type"];
  /** percentBp, factorBp or maxShareBp; 0 for types without a rate. */
  bp: number;
  /** amount (kopecks), price (kopecks) or points (hundredths); 0 for types without one. */
  amount: number;
  /** How `amount` counts, for the types that say: per unit, per line or per receipt; null otherwise. */
  per: "unit" | "line" | "receipt" | null;
  /** n_plus_m: of every buy + free units, free are free; 0 for other types. */
  buy: number;
  free: number;
  path: string;
  effect: Effect;
  /** null: the rule's default lines (those of its product conditions, or all). */
  target: ProductMatcher | null;
  /** For a cashier message: its template split at the placeholders (templateParts). */
  template: string[] | null;
}

/**
 * A rule ready to evaluate. The fields a candidate reads come first, so that they share the object's first
 * cache lines; the rest serve explanations, the full scan and compilation.
 */
interface CompiledRule {
  /** Of cheapFirst, those that neither the context filter nor the index settles: all a candidate checks. */
  unsettled: readonly CompiledCondition[];
  effects: CompiledEffect[];
  /** The rule's effect when it has only one (most have): read without going through the list. */
  soleEffect: CompiledEffect | null;
  /** The only product set of the top-level `products` conditions, when there is exactly one. */
  defaultTarget: ProductMatcher | null;
  /** The exclusive group's number in the program (0, 1, …), −1 for stackable rules. */
  groupId: number;
  perLine: boolean;
  priority: number;
  id: number;
  version: number;
  name: string;
  /** Of the effects, the cashier messages and instructions: what an applied rule adds to the answer. */
  speaks: readonly CompiledEffect[];
  promoCodes: readonly string[];
  pos: number;
  from: number;
  to: number;
  /** `${per}:${group}` for exclusive rules. */
  groupKey: string | null;
  group: string | null;
  conditions: CompiledCondition[];
  /** The same conditions, cheapest first: eligibility is their conjunction, so the order only saves time. */
  cheapFirst: CompiledCondition[];
  /** Product sets of the top-level `products` conditions: effects without a target apply to lines in all. */
  defaultTargets: readonly ProductMatcher[];
}

/** What one eligible rule asks for on this receipt, before competition and limits. */
interface Offer {
  rule: CompiledRule;
  pct: number[] | null;
  /** This rule's part of each line's jointly rounded percentage discount. */
  pctShare: number[] | null;
  disc: number[] | null;
  receiptDiscounts: { amount: number; targets: number[]; path: string }[] | null;
  accRate: number[] | null;
  accFixed: number[] | null;
  receiptAccruals: { points: number; targets: number[] }[] | null;
  /** Σ (factor − 10000) of multipliers per line. */
  mult: number[] | null;
  /** Lowest share bp per line, −1 where none. */
  share: number[] | null;
  exclude: number[] | null;
  /** Some effect reached a line, or the rule speaks to the cashier or issues something. */
  touched: boolean;
  /** For per-line groups: the rule that beat this one on its first line lost. */
  lostTo: CompiledRule | null;
  /** For per-line groups: lost every line it reached. */
  lostAll: boolean;
  // Standalone values for competition.
  standDisc: number[] | null;
  standAcc: number[] | null;
  standDiscTotal: number;
  standAccTotal: number;
  standRateTotal: number;
  // Results.
  discount: number;
  accrual: number;
  discLines: number[] | null;
  accLines: number[] | null;
  accRates: number[] | null;
  accFixedLines: number[] | null;
  notes: RuleReason[] | null;
}

const NEVER = Number.POSITIVE_INFINITY;

const DIGITS = /^[0-9]+$/;

export function compareLineIds(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length !== b.length && DIGITS.test(a) && DIGITS.test(b)) return a.length - b.length;
  return a < b ? -1 : 1;
}

function instant(value: string | null | undefined, fallback: number): number {
  if (!value) return fallback;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new RangeError(`invalid instant ${value}`);
  return t;
}

/**
 * Relative cost of checking a condition: a field compared, a set looked up, the receipt's local time
 * (computed once per receipt), a birthday's calendar arithmetic, a group, a walk over the lines.
 */
function conditionCost(c: CompiledCondition): number {
  switch (c.type) {
    case "promo_code":
    case "card_levels":
    case "card_statuses":
    case "points_payment":
    case "receipt_total":
    case "client_attribute":
    case "purchase_history":
    case "stores":
    case "partners":
      return 0;
    case "weekdays":
    case "time_of_day":
    case "date_range":
      return 1;
    case "birthday":
      return 2;
    case "any":
      return 3 + Math.max(0, ...c.members!.map(conditionCost));
    default:
      return 10;
  }
}

/**
 * Effect type names as internalized strings (property names are). A definition parsed from JSON holds its
 * own copies, which every comparison with a constant reads through; internalized, they compare by pointer.
 */
const EFFECT_TYPE_NAMES = new Map<string, Effect["type"]>(
  Object.keys(EFFECT_TYPES).map((type) => [type, type as Effect["type"]]),
);

function withOwnTypeName(effect: Effect): Effect {
  const type = EFFECT_TYPE_NAMES.get(effect.type);
  return type === undefined ? effect : ({ ...effect, type } as Effect);
}

/**
 * Top-level condition types that ContextFilter decides exactly as their checks do: a rule it keeps passes
 * them, so a candidate of the index need not check them again.
 */
const SETTLED_BY_CONTEXT = new Set<CompiledCondition["type"]>([
  "stores",
  "card_levels",
  "weekdays",
  "time_of_day",
]);

function numbersOf(effect: Effect): Pick<CompiledEffect, "type" | "bp" | "amount" | "per" | "buy" | "free"> {
  const numbers = { type: effect.type, bp: 0, amount: 0, per: null, buy: 0, free: 0 };
  switch (effect.type) {
    case "line_discount_percent":
    case "accrual_percent":
      return { ...numbers, bp: effect.params.percentBp };
    case "accrual_multiplier":
      return { ...numbers, bp: effect.params.factorBp };
    case "points_payment_share":
      return { ...numbers, bp: effect.params.maxShareBp };
    case "line_discount_amount":
      return { ...numbers, amount: effect.params.amount, per: effect.params.per };
    case "line_fixed_price":
      return { ...numbers, amount: effect.params.price };
    case "receipt_discount":
      return { ...numbers, amount: effect.params.amount };
    case "accrual_fixed":
      return { ...numbers, amount: effect.params.points, per: effect.params.per };
    case "n_plus_m":
      return { ...numbers, buy: effect.params.buy, free: effect.params.free };
    default:
      return numbers;
  }
}

/**
 * One empty array for every rule's empty lists. A receipt's candidates are a few rules scattered over a
 * large program, and in a server each is read from memory, not from the CPU's cache: a shared empty list
 * stays cached, so a rule without conditions left to check or messages to give costs no memory read there.
 */
const EMPTY: readonly never[] = [];

function sharedIfEmpty<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? EMPTY : list;
}

function compileRule(def: RuleDefinition, pos: number): CompiledRule {
  const conditions = def.conditions.map((c, i) => compileCondition(c, `conditions[${i}]`));
  const defaultTargets: ProductMatcher[] = [];
  const promoCodes: string[] = [];
  const collect = (cs: CompiledCondition[]) => {
    for (const c of cs) {
      if (c.promoCodes) promoCodes.push(...c.promoCodes);
      if (c.members) collect(c.members);
    }
  };
  collect(conditions);
  for (const c of conditions) if (c.productSet && !c.productSet.universal) defaultTargets.push(c.productSet);
  const exclusive = def.stacking.mode === "exclusive";
  const perLine = exclusive && def.stacking.per === "line";
  const effects = def.effects.map((definition, i): CompiledEffect => {
    const effect = withOwnTypeName(definition);
    return {
      ...numbersOf(effect),
      path: `effects[${i}]`,
      effect,
      target:
        "products" in effect.params && effect.params.products
          ? compileProductSet(effect.params.products)
          : null,
      template: effect.type === "cashier_message" ? templateParts(effect.params.template) : null,
    };
  });
  const cheapFirst = conditions
    .map((c, i) => ({ c, i, cost: conditionCost(c) }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i)
    .map((x) => x.c);
  return {
    unsettled: sharedIfEmpty(cheapFirst.filter((c) => !SETTLED_BY_CONTEXT.has(c.type))),
    effects,
    soleEffect: effects.length === 1 ? effects[0]! : null,
    defaultTarget: defaultTargets.length === 1 ? defaultTargets[0]! : null,
    groupId: -1,
    perLine,
    priority: def.priority,
    id: def.id,
    version: def.version,
    name: def.name,
    speaks: sharedIfEmpty(
      effects.filter((e) => e.type === "cashier_message" || e.type === "issue_promo_code"),
    ),
    promoCodes: sharedIfEmpty([...new Set(promoCodes)]),
    pos,
    from: instant(def.validFrom, Number.NEGATIVE_INFINITY),
    to: instant(def.validTo, NEVER),
    groupKey: exclusive ? `${perLine ? "line" : "receipt"}:${def.stacking.group ?? ""}` : null,
    group: exclusive ? (def.stacking.group ?? "") : null,
    conditions,
    cheapFirst,
    defaultTargets: sharedIfEmpty(defaultTargets),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Candidate index

interface CandidateIndex {
  sku: Map<string, number[]>;
  barcode: Map<string, number[]>;
  category: Map<string, number[]>;
  brand: Map<string, number[]>;
  manufacturer: Map<string, number[]>;
  store: Map<string, number[]>;
  partner: Map<string, number[]>;
  always: number[];
  /** By rule position: which of its conditions' product sets the rule is indexed by, −1 for none. */
  indexedCondition: Int32Array;
}

function add(map: Map<string, number[]>, keys: readonly string[] | undefined, pos: number): void {
  if (!keys) return;
  for (const k of keys) {
    const list = map.get(k);
    if (!list) map.set(k, [pos]);
    else if (list[list.length - 1] !== pos) list.push(pos);
  }
}

function buildIndex(defs: readonly RuleDefinition[]): CandidateIndex {
  const index: CandidateIndex = {
    sku: new Map(),
    barcode: new Map(),
    category: new Map(),
    brand: new Map(),
    manufacturer: new Map(),
    store: new Map(),
    partner: new Map(),
    always: [],
    indexedCondition: new Int32Array(defs.length).fill(-1),
  };
  defs.forEach((def, pos) => {
    let set: ProductSet | null = null;
    let stores: string[] | null = null;
    let partners: string[] | null = null;
    for (const [j, c] of def.conditions.entries()) {
      if (c.type === "products" && !set && !compileProductSet(c.params.set).universal) {
        set = c.params.set;
        index.indexedCondition[pos] = j;
      } else if (c.type === "stores" && !stores) stores = c.params.stores;
      else if (c.type === "partners" && !partners) partners = c.params.partners;
    }
    if (set) {
      if (set.match === "all") {
        // Every list must match, so one list is enough to find the rule: the most selective one.
        if (set.skus?.length) add(index.sku, set.skus, pos);
        else if (set.barcodes?.length) add(index.barcode, set.barcodes, pos);
        else if (set.manufacturers?.length) add(index.manufacturer, set.manufacturers, pos);
        else if (set.brands?.length) add(index.brand, set.brands, pos);
        else add(index.category, set.categories, pos);
      } else {
        add(index.sku, set.skus, pos);
        add(index.barcode, set.barcodes, pos);
        add(index.category, set.categories, pos);
        add(index.brand, set.brands, pos);
        add(index.manufacturer, set.manufacturers, pos);
      }
    } else if (stores) add(index.store, stores, pos);
    else if (partners) add(index.partner, partners, pos);
    else index.always.push(pos);
  });
  return index;
}

export interface CompileOptions {
  /** false: evaluate every rule for every receipt (a reference for tests). */
  useIndex?: boolean;
}

// ---------------------------------------------------------------------------------------------------------

const newOffer = (rule: CompiledRule): Offer => ({
  rule,
  pct: null,
  pctShare: null,
  disc: null,
  receiptDiscounts: null,
  accRate: null,
  accFixed: null,
  receiptAccruals: null,
  mult: null,
  share: null,
  exclude: null,
  touched: false,
  lostTo: null,
  lostAll: false,
  standDisc: null,
  standAcc: null,
  standDiscTotal: 0,
  standAccTotal: 0,
  standRateTotal: 0,
  discount: 0,
  accrual: 0,
  discLines: null,
  accLines: null,
  accRates: null,
  accFixedLines: null,
  notes: null,
});

/**
 * Splits a line's rounded percentage discount between the rules holding percentages on it, in proportion
 * to their rates, by largest remainder (equal remainders: the larger rate, then the earlier rule).
 */
function splitPercent(effective: Offer[], i: number, n: number, total: number, sumBp: number): void {
  let given = 0;
  for (const o of effective) {
    const w = o.pct?.[i] ?? 0;
    if (w === 0) continue;
    const share = mulDivFloor(total, w, sumBp);
    o.pctShare ??= zeros(n);
    o.pctShare[i] = share;
    given += share;
  }
  for (let left = total - given; left > 0; left--) {
    let best: Offer | null = null;
    let bestRemainder = -1;
    for (const o of effective) {
      const w = o.pct?.[i] ?? 0;
      if (w === 0) continue;
      // Remainder of total·w / sumBp, scaled by sumBp; a rule already topped up ranks after all others.
      const remainder = total * w - o.pctShare![i]! * sumBp;
      if (remainder < 0) continue;
      if (remainder > bestRemainder || (remainder === bestRemainder && w > best!.pct![i]!)) {
        best = o;
        bestRemainder = remainder;
      }
    }
    best!.pctShare![i]! += 1;
  }
}

function pushTo<K extends "receiptDiscounts" | "receiptAccruals">(
  o: Offer,
  key: K,
  item: NonNullable<Offer[K]>[number],
): void {
  const list = o[key] as NonNullable<Offer[K]>[number][] | null;
  if (list) list.push(item);
  else (o as unknown as Record<K, unknown[]>)[key] = [item];
}

function note(offer: Offer, reason: RuleReason): void {
  // One note per code, kept sorted by code so that the line order cannot change the explanation.
  if (!offer.notes) offer.notes = [reason];
  else if (!offer.notes.some((r) => r.code === reason.code)) {
    offer.notes.push(reason);
    offer.notes.sort((a, b) => (a.code < b.code ? -1 : 1));
  }
}

/** Compiles a program's active rules (one version per rule id) into an engine; reuse it for every receipt. */
export function compileRules(
  definitions: readonly RuleDefinition[],
  terms: RuleTerms,
  options: CompileOptions = {},
): RuleEngine {
  const ids = new Set<number>();
  for (const d of definitions) {
    if (ids.has(d.id)) throw new RangeError(`rule ${d.id} is given twice: pass one version per rule`);
    ids.add(d.id);
  }
  const ordered = [...definitions].sort((a, b) => b.priority - a.priority || a.id - b.id);
  const rules = ordered.map(compileRule);
  const groupIds = new Map<string, number>();
  for (const r of rules)
    if (r.groupKey !== null) {
      if (!groupIds.has(r.groupKey)) groupIds.set(r.groupKey, groupIds.size);
      r.groupId = groupIds.get(r.groupKey)!;
    }
  const groupCount = groupIds.size;
  const index = buildIndex(ordered);
  const useIndex = options.useIndex !== false;
  const ruleCount = rules.length;
  const indexedSets = rules.map((r, pos) => {
    const j = index.indexedCondition[pos]!;
    if (j < 0) return null;
    const indexed = r.conditions[j]!;
    // A candidate found through its product set has a line in it: a condition without a minimum holds.
    if (indexed.oneLineSuffices) r.unsettled = sharedIfEmpty(r.unsettled.filter((c) => c !== indexed));
    return indexed.productSet!;
  });
  // Candidates are marked in a bitmap and read out in position order: cheaper than sorting a list.
  const marked = new Int32Array((ruleCount + 31) >>> 5);
  const contextFilter = new ContextFilter(ordered, rules);
  /** The rules the receipt's context keeps (see ContextFilter); reused by the next receipt. */
  const keptByContext = (ctx: EvalContext): Int32Array => {
    const input = ctx.input;
    const local = contextFilter.readsLocalTime ? localOf(ctx) : null;
    return contextFilter.keep(input.now, input.store?.code ?? null, input.card, local, ctx.promo !== null);
  };
  const buffer = new Int32Array(ruleCount);
  const known = new Set<string>();
  for (const r of rules) for (const c of r.promoCodes) known.add(c);
  const facts = new Map<string, HistoryFactSpec>();
  let readsClient = false;
  const collectFacts = (cs: CompiledCondition[]) => {
    for (const c of cs) {
      if (c.historyFact) facts.set(c.historyFact.key, c.historyFact);
      if (c.type === "birthday" || c.type === "client_attribute") readsClient = true;
      if (c.members) collectFacts(c.members);
    }
  };
  for (const r of rules) collectFacts(r.conditions);
  const historyFacts = [...facts.values()];
  const maxLineBp = terms.maxLineDiscountBp ?? 10_000;
  const maxReceiptBp = terms.maxReceiptDiscountBp ?? 10_000;
  const roundDown = terms.discountRounding === "down";
  /** The current receipt's line positions in line id order, computed once per evaluation when asked for. */
  let lineIdOrder: number[] | null = null;
  /** 1 for each line of the current receipt: the targets of a rule without product conditions (read only). */
  let allLines: number[] | null = null;
  const everyLine = (n: number): number[] => {
    if (!allLines) {
      allLines = zeros(n);
      for (let i = 0; i < n; i++) allLines[i] = 1;
    }
    return allLines;
  };
  const idOrder = (lines: readonly RuleLine[]): number[] => (lineIdOrder ??= lineOrder(lines));
  const pctOf = (amount: number, bp: number) =>
    roundDown ? mulDivFloor(amount, bp, 10_000) : mulDivRound(amount, bp, 10_000);

  /**
   * The candidates' positions into `buffer`, in order; returns how many. With an evaluation id, the lines
   * that reached a rule through its product set are recorded as that set's matched lines for the
   * evaluation (see matchedLines): a line in the set always reaches the rule through it, so the lines
   * that did not are not in it. An `any` set holds exactly the lines that reached it; an `all` set is
   * indexed by one of its lists, so those lines are checked against the others, and its rule is a
   * candidate only when some line passes (else its products condition fails).
   */
  function gather(ctx: EvalContext, evaluationId: number): number {
    const input = ctx.input;
    const lines = input.lines;
    const kept = keptByContext(ctx);
    const n = lines.length;
    const push = (list: number[] | undefined) => {
      if (!list) return;
      for (let k = 0; k < list.length; k++) {
        const pos = list[k]!;
        marked[pos >>> 5]! |= 1 << (pos & 31);
      }
    };
    const pushLine = (list: number[] | undefined, i: number) => {
      if (!list) return;
      for (let k = 0; k < list.length; k++) {
        const pos = list[k]!;
        const word = pos >>> 5;
        const bit = 1 << (pos & 31);
        // A rule the context drops is never looked at: no need to record its set's lines.
        if ((kept[word]! & bit) === 0) continue;
        const set = indexedSets[pos]!;
        // An `all` set is found through one of its lists; a line that fails the others does not reach
        // the rule, and a rule that no line reaches fails its products condition anyway.
        if (set.all && !productMatches(set, lines[i]!)) continue;
        marked[word]! |= bit;
        if (evaluationId === 0) continue;
        if (set.matchedIn !== evaluationId) {
          set.matchedIn = evaluationId;
          set.lines = zeros(n);
        }
        set.lines![i] = 1;
      }
    };
    for (let i = 0; i < n; i++) {
      const line = lines[i]!;
      if (line.barcode !== null && index.barcode.size > 0) pushLine(index.barcode.get(line.barcode), i);
      const p = line.product;
      if (!p) continue;
      pushLine(index.sku.get(p.sku), i);
      if (p.category !== null) pushLine(index.category.get(p.category), i);
      if (p.brand !== null) pushLine(index.brand.get(p.brand), i);
      if (p.manufacturer !== null) pushLine(index.manufacturer.get(p.manufacturer), i);
    }
    if (input.store) {
      push(index.store.get(input.store.code));
      push(index.partner.get(input.store.partner));
    }
    push(index.always);
    let count = 0;
    for (let w = 0; w < marked.length; w++) {
      let bits = marked[w]!;
      if (bits === 0) continue;
      marked[w] = 0;
      bits &= kept[w]!;
      while (bits !== 0) {
        const lowest = bits & -bits;
        buffer[count++] = (w << 5) + 31 - Math.clz32(lowest);
        bits ^= lowest;
      }
    }
    return count;
  }

  function contextOf(input: RuleInput): EvalContext {
    let subtotal = 0;
    for (const line of input.lines) subtotal += line.amount;
    let promo: Set<string> | null = null;
    if (input.promoCodes.length > 0) {
      promo = new Set<string>();
      for (const c of input.promoCodes) promo.add(normalizePromoCode(c));
    }
    return { id: nextEvaluationId(), input, promo, subtotal, local: undefined };
  }

  function evaluate(input: RuleInput, evalOptions?: EvaluateOptions): Evaluation {
    const explain = evalOptions?.explain === true;
    const lines = input.lines;
    const n = lines.length;
    const ctx = contextOf(input);
    const { promo, subtotal } = ctx;
    lineIdOrder = null;
    allLines = null;
    const skipped: SkippedRule[] | null = explain ? [] : null;
    // Called with `skip?.(…)`, so that no reason is even made when nobody asks why.
    const skip = skipped
      ? (rule: CompiledRule, reason: RuleReason) => {
          skipped.push({ ruleId: rule.id, version: rule.version, name: rule.name, reason });
        }
      : null;

    // 1–2. Candidates and eligibility.
    const scanned = explain || !useIndex;
    const count = scanned ? ruleCount : gather(ctx, ctx.id);
    const offers: Offer[] = [];
    for (let k = 0; k < count; k++) {
      const rule = rules[scanned ? k : buffer[k]!]!;
      // The index hands out only rules that the context filter found valid at this instant.
      if (scanned && input.now < rule.from) {
        skip?.(rule, { code: "NOT_YET_VALID", text: "правило ещё не действует" });
        continue;
      }
      if (scanned && input.now >= rule.to) {
        skip?.(rule, { code: "EXPIRED", text: "срок действия правила истёк" });
        continue;
      }
      let failed: CompiledCondition | null = null;
      let code: string | null = null;
      for (const c of explain ? rule.conditions : useIndex ? rule.unsettled : rule.cheapFirst) {
        code = c.check(ctx);
        if (code !== null) {
          failed = c;
          break;
        }
      }
      if (failed) {
        skip?.(rule, { code: code!, text: failed.describe(code!, ctx), path: failed.path });
        continue;
      }
      offers.push(offerOf(rule, ctx));
    }

    // Line limits.
    const room = new Array<number>(n);
    const floorBound = zeros(n);
    const canAccrue = input.card !== null && input.card.status !== "blocked";
    for (let i = 0; i < n; i++) {
      const line = lines[i]!;
      const p = line.product;
      const floor = p && p.minPrice > 0 ? lineAmount(p.minPrice, line.quantity) : 0;
      const aboveFloor = Math.max(0, line.amount - floor);
      const bp = p?.maxDiscountBp !== undefined ? Math.min(p.maxDiscountBp, maxLineBp) : maxLineBp;
      const byPercent = bp >= 10_000 ? line.amount : percentOf(line.amount, bp);
      room[i] = Math.min(aboveFloor, byPercent);
      floorBound[i] = aboveFloor <= byPercent ? 1 : 0;
    }

    // 3. Competition.
    let hasGroups = false;
    for (const o of offers) if (o.rule.groupId >= 0) hasGroups = true;
    let effective = offers;
    if (hasGroups) effective = compete(offers, lines, room, floorBound, subtotal, canAccrue, skip);

    // 4. Discounts.
    const discount = zeros(n);
    const lineContribs: Contribution[][] = new Array(n);
    for (let i = 0; i < n; i++) lineContribs[i] = [];
    applyDiscounts(effective, lines, room, floorBound, discount, subtotal);
    for (const o of effective) {
      if (!o.discLines) continue;
      for (let i = 0; i < n; i++) {
        const a = o.discLines[i]!;
        if (a > 0)
          lineContribs[i]!.push({
            ruleId: o.rule.id,
            version: o.rule.version,
            kind: "discount",
            amount: a,
            rateBp: 0,
          });
      }
    }

    // 5. Accruals.
    const accrualTrimmed = applyAccruals(
      effective,
      lines,
      discount,
      canAccrue,
      input.accrualAllowance ?? null,
    );
    const accrual = zeros(n);
    for (const o of effective) {
      if (!o.accLines) continue;
      for (let i = 0; i < n; i++) {
        const rate = o.accRates?.[i] ?? 0;
        const a = o.accLines[i]!;
        const fixedPart = o.accFixedLines?.[i] ?? 0;
        const ratePart = a - fixedPart;
        if (rate > 0 || ratePart > 0)
          lineContribs[i]!.push({
            ruleId: o.rule.id,
            version: o.rule.version,
            kind: "accrual",
            amount: ratePart,
            rateBp: rate,
          });
        if (fixedPart > 0)
          lineContribs[i]!.push({
            ruleId: o.rule.id,
            version: o.rule.version,
            kind: "accrual",
            amount: fixedPart,
            rateBp: 0,
          });
        accrual[i]! += a;
      }
    }

    // 6. Points payment caps.
    const canPay = input.card !== null && input.card.status === "active";
    const resultLines: LineResult[] = new Array(n);
    let discountTotal = 0;
    let accrualTotal = 0;
    let pointsPaymentLimit = 0;
    const limiting: Offer[] = [];
    for (const o of effective) if (o.exclude || o.share) limiting.push(o);
    for (let i = 0; i < n; i++) {
      const line = lines[i]!;
      const p = line.product;
      const total = line.amount - discount[i]!;
      let cap = 0;
      if (canPay && !p?.excludedFromPointsPayment) {
        let share = -1;
        let excluded = false;
        for (const o of limiting) {
          if (o.exclude?.[i]) excluded = true;
          const s = o.share?.[i] ?? -1;
          if (s >= 0 && (share < 0 || s < share)) share = s;
        }
        if (!excluded) {
          const floor = p && p.minPrice > 0 ? lineAmount(p.minPrice, line.quantity) : 0;
          cap = Math.max(0, total - floor);
          const bp = share >= 0 ? share : terms.maxPointsPaymentShareBp;
          if (bp < 10_000) cap = Math.min(cap, percentOf(total, bp));
        }
      }
      discountTotal += discount[i]!;
      accrualTotal += accrual[i]!;
      pointsPaymentLimit += cap;
      resultLines[i] = {
        lineId: line.lineId,
        amount: line.amount,
        discount: discount[i]!,
        total,
        accrual: accrual[i]!,
        pointsPaymentCap: cap,
        contributions: lineContribs[i]!,
      };
    }

    // Explanation, messages, instructions.
    const appliedRules: AppliedRule[] = [];
    const appliedPromo: string[] = [];
    const messages: CashierMessage[] = [];
    const instructions: IssuePromoCodeInstruction[] = [];
    if (input.card?.status === "accrual_only")
      messages.push({
        code: "CARD_ACCRUAL_ONLY",
        text: "Карта только для начисления баллов: оплата баллами недоступна",
      });
    const total = subtotal - discountTotal;
    for (const o of effective) {
      const gave = o.discount > 0 || o.accrual > 0 || o.touched || hasRate(o);
      if (!gave) {
        skip?.(o.rule, nothingReason(o));
        continue;
      }
      const ruleCodes: string[] = [];
      if (promo)
        for (const c of o.rule.promoCodes)
          if (promo.has(c)) {
            ruleCodes.push(c);
            if (!appliedPromo.includes(c)) appliedPromo.push(c);
          }
      appliedRules.push({
        ruleId: o.rule.id,
        version: o.rule.version,
        name: o.rule.name,
        discount: o.discount,
        accrual: o.accrual,
        promoCodes: ruleCodes,
        notes: o.notes ?? [],
      });
      for (const e of o.rule.speaks) {
        const effect = e.effect;
        if (effect.type === "cashier_message") {
          messages.push({
            code: "RULE_MESSAGE",
            ruleId: o.rule.id,
            text: substitute(e.template!, o, discountTotal, accrualTotal, total),
          });
        } else if (effect.type === "issue_promo_code") {
          instructions.push({
            type: "issue_promo_code",
            ruleId: o.rule.id,
            version: o.rule.version,
            campaign: effect.params.campaign,
            validDays: effect.params.validDays ?? null,
          });
        }
      }
    }
    if (accrualTrimmed > 0)
      messages.push({
        code: "ACCRUAL_CAPPED",
        text: `Начисление ограничено дневным лимитом: начислено ${formatPointsRu(accrualTotal)} из ${formatPointsRu(accrualTotal + accrualTrimmed)}`,
      });
    const unknownPromoCodes: string[] = [];
    if (promo)
      for (const c of promo)
        if (!known.has(c)) {
          unknownPromoCodes.push(c);
          messages.push({ code: "PROMO_CODE_UNKNOWN", text: `Промокод ${c} не найден` });
        }

    const evaluation: Evaluation = {
      lines: resultLines,
      subtotal,
      discountTotal,
      total,
      accrualTotal,
      pointsPaymentLimit,
      appliedRules,
      appliedPromoCodes: appliedPromo,
      unknownPromoCodes,
      messages,
      instructions,
      accrualTrimmed,
    };
    if (skipped) {
      const posOf = new Map(rules.map((r) => [r.id, r.pos]));
      skipped.sort((a, b) => posOf.get(a.ruleId)! - posOf.get(b.ruleId)!);
      evaluation.skippedRules = skipped;
    }
    return evaluation;
  }

  /** The lines an effect without its own products applies to: those of all the rule's product conditions. */
  function defaultTargets(rule: CompiledRule, ctx: EvalContext, n: number): number[] {
    if (rule.defaultTarget) return matchedLines(rule.defaultTarget, ctx);
    const sets = rule.defaultTargets;
    if (sets.length === 0) return everyLine(n);
    const targets = zeros(n);
    for (let i = 0; i < n; i++) {
      let ok = 1;
      for (const m of sets) if (matchedLines(m, ctx)[i] === 0) ok = 0;
      targets[i] = ok;
    }
    return targets;
  }

  /** What an eligible rule asks for, line by line. */
  function offerOf(rule: CompiledRule, ctx: EvalContext): Offer {
    const o = newOffer(rule);
    const sole = rule.soleEffect;
    if (sole) addEffect(o, sole, ctx, null);
    else {
      let defaults: number[] | null = null;
      for (const e of rule.effects) defaults = addEffect(o, e, ctx, defaults);
    }
    return o;
  }

  /**
   * Adds what one effect asks for to its rule's offer. `defaults` are the rule's default target lines if an
   * earlier effect needed them; returns them, computed if this one needed them.
   */
  function addEffect(
    o: Offer,
    e: CompiledEffect,
    ctx: EvalContext,
    defaults: number[] | null,
  ): number[] | null {
    const lines = ctx.input.lines;
    const n = lines.length;
    switch (e.type) {
      case "cashier_message":
      case "issue_promo_code":
        o.touched = true;
        return defaults;
      default:
        break;
    }
    let t: number[];
    if (e.target) t = matchedLines(e.target, ctx);
    else {
      defaults ??= defaultTargets(o.rule, ctx, n);
      t = defaults;
    }
    switch (e.type) {
      case "line_discount_percent":
        o.pct = addOnTargets(o.pct, t, e.bp);
        break;
      case "line_discount_amount": {
        o.disc ??= zeros(n);
        const disc = o.disc;
        const { amount, per } = e;
        for (let i = 0; i < n; i++)
          if (t[i]) disc[i]! += per === "line" ? amount : mulDivFloor(amount, lines[i]!.quantity, 1000);
        break;
      }
      case "line_fixed_price": {
        o.disc ??= zeros(n);
        const disc = o.disc;
        for (let i = 0; i < n; i++) {
          if (!t[i]) continue;
          const line = lines[i]!;
          disc[i]! += Math.max(0, line.amount - lineAmount(e.amount, line.quantity));
        }
        break;
      }
      case "receipt_discount":
        pushTo(o, "receiptDiscounts", { amount: e.amount, targets: t, path: e.path });
        break;
      case "n_plus_m": {
        o.disc ??= zeros(n);
        const disc = o.disc;
        nPlusM(lines, t, e.buy, e.free, disc);
        break;
      }
      case "accrual_percent":
        o.accRate = addOnTargets(o.accRate, t, e.bp);
        break;
      case "accrual_fixed": {
        const { amount: points, per } = e;
        if (per === "receipt") pushTo(o, "receiptAccruals", { points, targets: t });
        else {
          o.accFixed ??= zeros(n);
          const fixedPoints = o.accFixed;
          for (let i = 0; i < n; i++)
            if (t[i])
              fixedPoints[i]! += per === "line" ? points : mulDivFloor(points, lines[i]!.quantity, 1000);
        }
        break;
      }
      case "accrual_multiplier":
        o.mult = addOnTargets(o.mult, t, e.bp - 10_000);
        break;
      case "points_payment_share": {
        if (!o.share) {
          o.share = new Array<number>(n);
          for (let i = 0; i < n; i++) o.share[i] = -1;
        }
        const share = o.share;
        for (let i = 0; i < n; i++) {
          if (!t[i]) continue;
          o.touched = true;
          const s = e.bp;
          if (share[i]! < 0 || s < share[i]!) share[i] = s;
        }
        break;
      }
      case "points_payment_exclusion": {
        o.exclude ??= zeros(n);
        const ex = o.exclude;
        for (let i = 0; i < n; i++)
          if (t[i]) {
            ex[i] = 1;
            o.touched = true;
          }
        break;
      }
      default:
        break;
    }
    return defaults;
  }

  /** Values every grouped offer alone, picks the winners, and returns the offers that apply. */
  function compete(
    offers: Offer[],
    lines: readonly RuleLine[],
    room: readonly number[],
    floorBound: number[],
    subtotal: number,
    canAccrue: boolean,
    skip: ((rule: CompiledRule, reason: RuleReason) => void) | null,
  ): Offer[] {
    const n = lines.length;
    // The base a multiplier multiplies, for valuing it: the stackable rules' percentages.
    const base = zeros(n);
    for (const o of offers)
      if (o.rule.groupId < 0 && o.accRate) for (let i = 0; i < n; i++) base[i]! += o.accRate[i]!;
    const groups: (Offer[] | undefined)[] = new Array(groupCount);
    for (const o of offers) {
      const g = o.rule.groupId;
      if (g < 0) continue;
      const members = groups[g];
      if (members) members.push(o);
      else groups[g] = [o];
    }
    // The winner of each receipt group; the order of the members cannot matter: `beats` is a total order.
    const receiptWinners: (Offer | undefined)[] = new Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const members = groups[g];
      if (!members) continue;
      const perLine = members[0]!.rule.perLine;
      if (members.length === 1) {
        // A rule alone in its group wins without being valued.
        if (!perLine) receiptWinners[g] = members[0];
        continue;
      }
      if (!perLine) {
        for (const o of members) valueAlone(o, lines, room, floorBound, subtotal, canAccrue, base);
        let best = members[0]!;
        for (let k = 1; k < members.length; k++) if (beats(members[k]!, best)) best = members[k]!;
        receiptWinners[g] = best;
        continue;
      }
      // Line by line; which member reaches which line is worked out once and updated as members lose.
      const m = members.length;
      const reaches = zeros(m * n);
      const reachedBy = zeros(n);
      for (let k = 0; k < m; k++) {
        markTouchedLines(members[k]!, reaches, k * n, n);
        for (let i = 0; i < n; i++) if (reaches[k * n + i] === 1 && reachedBy[i]! < 2) reachedBy[i]! += 1;
      }
      // Only members that share a line with another are ever compared: value those alone, before any
      // of them loses a line (a lost line is zeroed in the offer).
      for (let k = 0; k < m; k++)
        for (let i = 0; i < n; i++)
          if (reaches[k * n + i] === 1 && reachedBy[i] === 2) {
            const o = members[k]!;
            if (!o.receiptDiscounts && !o.receiptAccruals && maxReceiptBp >= 10_000)
              valueOnLines(o, reaches, k * n, lines, room, canAccrue, base);
            else valueAlone(o, lines, room, floorBound, subtotal, canAccrue, base);
            break;
          }
      for (let i = 0; i < n; i++) {
        let best = -1;
        for (let k = 0; k < m; k++)
          if (reaches[k * n + i] === 1 && (best < 0 || beatsOnLine(members[k]!, members[best]!, i))) best = k;
        if (best < 0) continue;
        for (let k = 0; k < m; k++) {
          if (k === best || reaches[k * n + i] === 0) continue;
          const o = members[k]!;
          o.lostTo ??= members[best]!.rule;
          zeroLine(o, i);
          reaches[k * n + i] = 0;
        }
      }
      for (let k = 0; k < m; k++) {
        const o = members[k]!;
        if (!o.lostTo) continue;
        let won = false;
        for (let i = 0; i < n && !won; i++) if (reaches[k * n + i] === 1) won = true;
        o.lostAll = !won;
      }
    }
    const effective: Offer[] = [];
    for (const o of offers) {
      const g = o.rule.groupId;
      if (g >= 0 && !o.rule.perLine && receiptWinners[g] !== o) {
        skip?.(o.rule, lost(o.rule, receiptWinners[g]!.rule));
        continue;
      }
      if (o.lostAll) {
        skip?.(o.rule, lost(o.rule, o.lostTo!));
        continue;
      }
      effective.push(o);
    }
    return effective;
  }

  /**
   * A per-line group member's value on its own, line by line, as valueAlone's first case computes it, on
   * the lines it reaches (`reaches[from + i]`): only those are ever compared. Line effects only, and no
   * receipt maximum.
   */
  function valueOnLines(
    o: Offer,
    reaches: readonly number[],
    from: number,
    lines: readonly RuleLine[],
    room: readonly number[],
    canAccrue: boolean,
    base: number[],
  ) {
    const n = lines.length;
    const disc = zeros(n);
    const acc = zeros(n);
    const accrues = canAccrue && (o.accRate !== null || o.accFixed !== null || o.mult !== null);
    for (let i = 0; i < n; i++) {
      if (reaches[from + i] !== 1) continue;
      const line = lines[i]!;
      const want = (o.pct && o.pct[i]! > 0 ? pctOf(line.amount, o.pct[i]!) : 0) + (o.disc ? o.disc[i]! : 0);
      const d = Math.min(want, room[i]!);
      disc[i] = d;
      if (!accrues || line.product?.excludedFromAccrual) continue;
      const own = o.accRate ? o.accRate[i]! : 0;
      const rate = own + (o.mult && o.mult[i]! > 0 ? mulDivFloor(base[i]! + own, o.mult[i]!, 10_000) : 0);
      acc[i] = percentOf(line.amount - d, rate) + (o.accFixed ? o.accFixed[i]! : 0);
    }
    o.standDisc = disc;
    o.standAcc = acc;
  }

  /**
   * The offer's value on its own: exactly what the receipt would get if it were the only rule (with the
   * stackable rules' percentages as the base of its multipliers), line limits and receipt maximum included.
   */
  function valueAlone(
    o: Offer,
    lines: readonly RuleLine[],
    room: readonly number[],
    floorBound: number[],
    subtotal: number,
    canAccrue: boolean,
    base: number[],
  ) {
    const n = lines.length;
    if (!o.receiptDiscounts && !o.receiptAccruals && maxReceiptBp >= 10_000) {
      // Line effects only and no receipt maximum: the same arithmetic as below, without its bookkeeping.
      const disc = zeros(n);
      const acc = zeros(n);
      let discTotal = 0;
      let accTotal = 0;
      let rateTotal = 0;
      for (let i = 0; i < n; i++) {
        const line = lines[i]!;
        const want = (o.pct && o.pct[i]! > 0 ? pctOf(line.amount, o.pct[i]!) : 0) + (o.disc ? o.disc[i]! : 0);
        const d = Math.min(want, room[i]!);
        disc[i] = d;
        discTotal += d;
        if (!canAccrue || line.product?.excludedFromAccrual) continue;
        if (!o.accRate && !o.accFixed && !o.mult) continue;
        const own = o.accRate ? o.accRate[i]! : 0;
        const rate = own + (o.mult && o.mult[i]! > 0 ? mulDivFloor(base[i]! + own, o.mult[i]!, 10_000) : 0);
        acc[i] = percentOf(line.amount - d, rate) + (o.accFixed ? o.accFixed[i]! : 0);
        accTotal += acc[i]!;
        rateTotal += rate;
      }
      o.standDisc = disc;
      o.standDiscTotal = discTotal;
      o.standAcc = acc;
      o.standAccTotal = accTotal;
      o.standRateTotal = rateTotal;
      return;
    }
    if (
      !o.rule.perLine &&
      !o.accRate &&
      !o.accFixed &&
      !o.mult &&
      !o.receiptAccruals &&
      (o.receiptDiscounts === null || o.receiptDiscounts.length === 1)
    ) {
      // A receipt group compares totals only, and a rule that accrues nothing has only a discount total:
      // what applyDiscounts would grant it alone, without spreading the receipt discount over the lines
      // (the spread always sums to the amount granted).
      let total = 0;
      let free = 0;
      const rd = o.receiptDiscounts?.[0] ?? null;
      for (let i = 0; i < n; i++) {
        const want =
          (o.pct && o.pct[i]! > 0 ? pctOf(lines[i]!.amount, o.pct[i]!) : 0) + (o.disc ? o.disc[i]! : 0);
        const d = Math.min(want, room[i]!);
        total += d;
        if (rd && rd.targets[i] === 1) free += room[i]! - d;
      }
      if (rd) total += Math.min(rd.amount, free);
      if (maxReceiptBp < 10_000) total = Math.min(total, percentOf(subtotal, maxReceiptBp));
      o.standDisc = null;
      o.standAcc = null;
      o.standDiscTotal = total;
      o.standAccTotal = 0;
      o.standRateTotal = 0;
      return;
    }
    const savedNotes = o.notes;
    const alone = [o];
    const discount = zeros(n);
    applyDiscounts(alone, lines, [...room], floorBound, discount, subtotal);
    applyAccruals(alone, lines, discount, canAccrue, null, base);
    o.notes = savedNotes;
    o.standDisc = o.discLines ?? zeros(n);
    o.standDiscTotal = o.discount;
    o.standAcc = o.accLines ?? zeros(n);
    o.standAccTotal = o.accrual;
    let rateTotal = 0;
    if (o.accRates) for (const r of o.accRates) rateTotal += r;
    o.standRateTotal = rateTotal;
    o.discLines = null;
    o.discount = 0;
    o.accLines = null;
    o.accRates = null;
    o.accFixedLines = null;
    o.accrual = 0;
  }

  return {
    evaluate,
    requiredHistoryFacts: () => historyFacts,
    needsClientFacts: () => readsClient,
    countCandidates: (input) => (useIndex ? gather(contextOf(input), 0) : ruleCount),
    knownPromoCodes: () => known,
    ruleCount,
  };

  // ---- Discounts -----------------------------------------------------------------------------------------

  function applyDiscounts(
    effective: Offer[],
    lines: readonly RuleLine[],
    room: number[],
    floorBound: number[],
    discount: number[],
    subtotal: number,
  ): void {
    const n = lines.length;
    // Percentages add up per line and round once; each rule's share of the rounded total by largest remainder.
    const withPct: Offer[] = [];
    for (const o of effective) {
      o.pctShare = null;
      if (o.pct) withPct.push(o);
    }
    for (let i = 0; withPct.length > 0 && i < n; i++) {
      let sumBp = 0;
      let holders = 0;
      let last: Offer | null = null;
      for (const o of withPct) {
        const bp = o.pct![i]!;
        if (bp > 0) {
          sumBp += bp;
          holders++;
          last = o;
        }
      }
      if (holders === 0) continue;
      const totalPct = pctOf(lines[i]!.amount, sumBp);
      if (holders === 1) {
        last!.pctShare ??= zeros(n);
        last!.pctShare[i] = totalPct;
      } else splitPercent(withPct, i, n, totalPct, sumBp);
    }

    let receiptRoom = maxReceiptBp >= 10_000 ? Number.POSITIVE_INFINITY : percentOf(subtotal, maxReceiptBp);
    let sortedIds: number[] | null = null;
    for (const o of effective) {
      const shares = o.pctShare;
      if (!shares && !o.disc && !o.receiptDiscounts) continue;
      const granted = zeros(n);
      let ruleTotal = 0;
      for (let i = 0; i < n; i++) {
        const want = (shares ? shares[i]! : 0) + (o.disc ? o.disc[i]! : 0);
        if (want === 0) continue;
        const g = Math.min(want, room[i]!);
        if (g < want) note(o, lineCapReason(floorBound[i]!));
        granted[i] = g;
        room[i]! -= g;
        ruleTotal += g;
      }
      if (o.receiptDiscounts) {
        sortedIds ??= idOrder(lines);
        for (const rd of o.receiptDiscounts) {
          const order = sortedIds.filter((i) => rd.targets[i] === 1);
          let free = 0;
          for (const i of order) free += room[i]!;
          const amount = Math.min(rd.amount, free);
          if (amount < rd.amount)
            note(o, { code: "CAPPED_BY_LINE_MAX", text: RECEIPT_CAPPED_TEXT, path: rd.path });
          if (amount === 0) continue;
          const parts = allocate(
            amount,
            order.map((i) => lines[i]!.amount),
            order.map((i) => room[i]!),
          );
          order.forEach((i, k) => {
            granted[i]! += parts[k]!;
            room[i]! -= parts[k]!;
          });
          ruleTotal += amount;
        }
      }
      if (ruleTotal > receiptRoom) {
        note(o, { code: "CAPPED_BY_RECEIPT_MAX", text: "скидка ограничена максимальной скидкой на чек" });
        sortedIds ??= idOrder(lines);
        const order = sortedIds;
        const parts = allocate(
          receiptRoom,
          order.map((i) => granted[i]!),
          order.map((i) => granted[i]!),
        );
        order.forEach((i, k) => {
          room[i]! += granted[i]! - parts[k]!;
          granted[i] = parts[k]!;
        });
        ruleTotal = receiptRoom;
      }
      receiptRoom -= ruleTotal;
      for (let i = 0; i < n; i++) discount[i]! += granted[i]!;
      o.discLines = granted;
      o.discount = ruleTotal;
    }
  }

  // ---- Accruals ------------------------------------------------------------------------------------------

  function applyAccruals(
    effective: Offer[],
    lines: readonly RuleLine[],
    discount: readonly number[],
    canAccrue: boolean,
    allowance: number | null,
    extraBase: number[] | null = null,
  ): number {
    if (!canAccrue) {
      for (const o of effective)
        if (o.accRate || o.accFixed || o.mult || o.receiptAccruals)
          note(o, {
            code: "CARD_CANNOT_ACCRUE",
            text: "карта не предъявлена или заблокирована: баллы не начисляются",
          });
      return 0;
    }
    const n = lines.length;
    let base: number[] | null = extraBase ? [...extraBase] : null;
    for (const o of effective)
      if (o.accRate) {
        base ??= zeros(n);
        for (let i = 0; i < n; i++) base[i]! += o.accRate[i]!;
      }
    let sortedIds: number[] | null = null;
    let totalAccrual = 0;
    for (const o of effective) {
      if (!o.accRate && !o.accFixed && !o.mult && !o.receiptAccruals) continue;
      const acc = zeros(n);
      const rates = zeros(n);
      const fixedParts = zeros(n);
      let ruleTotal = 0;
      for (let i = 0; i < n; i++) {
        const line = lines[i]!;
        if (line.product?.excludedFromAccrual) continue;
        const total = line.amount - discount[i]!;
        let rate = o.accRate ? o.accRate[i]! : 0;
        if (o.mult && o.mult[i]! > 0 && base) rate += mulDivFloor(base[i]!, o.mult[i]!, 10_000);
        const f = o.accFixed ? o.accFixed[i]! : 0;
        rates[i] = rate;
        fixedParts[i] = f;
        acc[i] = percentOf(total, rate) + f;
        ruleTotal += acc[i]!;
      }
      if (o.receiptAccruals) {
        sortedIds ??= idOrder(lines);
        for (const ra of o.receiptAccruals) {
          const order = sortedIds.filter(
            (i) =>
              ra.targets[i] === 1 &&
              !lines[i]!.product?.excludedFromAccrual &&
              lines[i]!.amount - discount[i]! > 0,
          );
          if (order.length === 0) {
            note(o, { code: "NOTHING_TO_ACCRUE_ON", text: "в чеке нет позиций для начисления" });
            continue;
          }
          const parts = allocate(
            ra.points,
            order.map((i) => lines[i]!.amount - discount[i]!),
            order.map(() => ra.points),
          );
          order.forEach((i, k) => {
            acc[i]! += parts[k]!;
            fixedParts[i]! += parts[k]!;
          });
          ruleTotal += ra.points;
        }
      }
      o.accLines = acc;
      o.accRates = rates;
      o.accFixedLines = fixedParts;
      o.accrual = ruleTotal;
      totalAccrual += ruleTotal;
    }
    if (allowance === null || totalAccrual <= allowance) return 0;
    // The daily cap keeps the higher-priority rules' points first.
    let left = Math.max(0, allowance);
    for (const o of effective) {
      if (!o.accLines || o.accrual === 0) continue;
      if (o.accrual <= left) {
        left -= o.accrual;
        continue;
      }
      note(o, { code: "ACCRUAL_CAPPED_DAILY", text: "начисление ограничено дневным лимитом карты" });
      const acc = o.accLines;
      // In line id order, so that equal remainders do not depend on the request's order.
      sortedIds ??= idOrder(lines);
      const ids = sortedIds;
      const byId = allocate(
        left,
        ids.map((i) => acc[i]!),
        ids.map((i) => acc[i]!),
      );
      const parts = zeros(n);
      ids.forEach((i, k) => {
        parts[i] = byId[k]!;
      });
      for (let i = 0; i < n; i++) {
        // The cut takes the percentage part first, then the fixed part.
        o.accFixedLines![i] = Math.min(o.accFixedLines![i]!, parts[i]!);
        acc[i] = parts[i]!;
      }
      o.accrual = left;
      left = 0;
    }
    return totalAccrual - Math.max(0, allowance);
  }
}

const RECEIPT_CAPPED_TEXT = "скидка на чек ограничена лимитами позиций";

function lineCapReason(floorBound: number): RuleReason {
  return floorBound
    ? { code: "CAPPED_BY_MIN_PRICE", text: "скидка ограничена минимальной ценой товара" }
    : { code: "CAPPED_BY_LINE_MAX", text: "скидка ограничена максимальной скидкой на позицию" };
}

function lost(rule: CompiledRule, winner: CompiledRule): RuleReason {
  return {
    code: "LOST_IN_GROUP",
    text: `уступило правилу ${winner.id} в группе «${rule.group}»`,
    winnerRuleId: winner.id,
    group: rule.group ?? "",
  };
}

function hasRate(o: Offer): boolean {
  if (!o.accRates) return false;
  for (const r of o.accRates) if (r > 0) return true;
  return false;
}

function nothingReason(o: Offer): RuleReason {
  const first = o.notes?.[0];
  if (first) return first;
  if (o.pct || o.disc || o.receiptDiscounts || o.accRate || o.accFixed || o.mult || o.receiptAccruals)
    return { code: "NOTHING_GIVEN", text: "условия выполнены, но правилу нечего дать этому чеку" };
  return { code: "NO_TARGET_LINES", text: "в чеке нет позиций, к которым применяется правило" };
}

/** Adds `value` on each target line (1 in `targets`) of `values`, made of zeros when null; returns it. */
function addOnTargets(values: number[] | null, targets: readonly number[], value: number): number[] {
  const sum = values ?? zeros(targets.length);
  for (let i = 0; i < targets.length; i++) if (targets[i]) sum[i]! += value;
  return sum;
}

/** Sets `touched[from + i]` to 1 for each line i the offer gives or limits something on. */
function markTouchedLines(o: Offer, touched: number[], from: number, n: number): void {
  const mark = (values: readonly number[] | null, floor: number) => {
    if (values) for (let i = 0; i < n; i++) if (values[i]! > floor) touched[from + i] = 1;
  };
  mark(o.pct, 0);
  mark(o.disc, 0);
  mark(o.accRate, 0);
  mark(o.accFixed, 0);
  mark(o.mult, 0);
  // A share of 0 bp limits the line too; none is −1.
  mark(o.share, -1);
  mark(o.exclude, 0);
}

function zeroLine(o: Offer, i: number): void {
  if (o.pct) o.pct[i] = 0;
  if (o.disc) o.disc[i] = 0;
  if (o.accRate) o.accRate[i] = 0;
  if (o.accFixed) o.accFixed[i] = 0;
  if (o.mult) o.mult[i] = 0;
  if (o.share) o.share[i] = -1;
  if (o.exclude) o.exclude[i] = 0;
}

/** Receipt-wide: more discount, more accrual, higher rate, higher priority, lower id. */
function beats(a: Offer, b: Offer): boolean {
  if (a.standDiscTotal !== b.standDiscTotal) return a.standDiscTotal > b.standDiscTotal;
  if (a.standAccTotal !== b.standAccTotal) return a.standAccTotal > b.standAccTotal;
  if (a.standRateTotal !== b.standRateTotal) return a.standRateTotal > b.standRateTotal;
  if (a.rule.priority !== b.rule.priority) return a.rule.priority > b.rule.priority;
  return a.rule.id < b.rule.id;
}

function beatsOnLine(a: Offer, b: Offer, i: number): boolean {
  const da = a.standDisc![i]!;
  const db = b.standDisc![i]!;
  if (da !== db) return da > db;
  const aa = a.standAcc![i]!;
  const ab = b.standAcc![i]!;
  if (aa !== ab) return aa > ab;
  const ra = (a.accRate?.[i] ?? 0) + (a.mult?.[i] ?? 0);
  const rb = (b.accRate?.[i] ?? 0) + (b.mult?.[i] ?? 0);
  if (ra !== rb) return ra > rb;
  if (a.rule.priority !== b.rule.priority) return a.rule.priority > b.rule.priority;
  return a.rule.id < b.rule.id;
}

function lineOrder(lines: readonly RuleLine[]): number[] {
  const order = lines.map((_, i) => i);
  // compareLineIds with each id's "all digits" test made once, not once per comparison.
  const ids = lines.map((l) => l.lineId);
  const numeric = ids.map((id) => DIGITS.test(id));
  const compare = (a: number, b: number) => {
    const x = ids[a]!;
    const y = ids[b]!;
    if (x === y) return 0;
    if (x.length !== y.length && numeric[a] && numeric[b]) return x.length - y.length;
    return x < y ? -1 : 1;
  };
  // Receipts usually list their lines in id order already.
  let sorted = true;
  for (let i = 1; i < order.length && sorted; i++) if (compare(i - 1, i) >= 0) sorted = false;
  if (!sorted) order.sort(compare);
  return order;
}

/**
 * Of every buy + free whole units of the target lines, the `free` cheapest units are free: the units are
 * pooled, the cheapest (equal prices: the lower line id first) get the discount of their unit price.
 */
function nPlusM(
  lines: readonly RuleLine[],
  targets: number[],
  buy: number,
  free: number,
  disc: number[],
): void {
  let units = 0;
  const order: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!targets[i]) continue;
    const whole = Math.floor(lines[i]!.quantity / 1000);
    if (whole === 0) continue;
    units += whole;
    order.push(i);
  }
  let freeUnits = Math.floor(units / (buy + free)) * free;
  if (freeUnits === 0) return;
  order.sort(
    (a, b) => lines[a]!.unitPrice - lines[b]!.unitPrice || compareLineIds(lines[a]!.lineId, lines[b]!.lineId),
  );
  for (const i of order) {
    if (freeUnits === 0) break;
    const take = Math.min(freeUnits, Math.floor(lines[i]!.quantity / 1000));
    disc[i]! += take * lines[i]!.unitPrice;
    freeUnits -= take;
  }
}

const PLACEHOLDER = /\{(ruleDiscount|ruleAccrual|receiptDiscount|receiptAccrual|toPay)\}/;

/** A message template split once: text at even positions, placeholder names at odd ones. */
function templateParts(template: string): string[] {
  return template.split(PLACEHOLDER);
}

function substitute(
  parts: readonly string[],
  o: Offer,
  receiptDiscount: number,
  receiptAccrual: number,
  toPay: number,
): string {
  let text = parts[0]!;
  for (let k = 1; k < parts.length; k += 2) {
    switch (parts[k]) {
      case "ruleDiscount":
        text += formatRublesRu(o.discount);
        break;
      case "ruleAccrual":
        text += formatPointsRu(o.accrual);
        break;
      case "receiptDiscount":
        text += formatRublesRu(receiptDiscount);
        break;
      case "receiptAccrual":
        text += formatPointsRu(receiptAccrual);
        break;
      default:
        text += formatRublesRu(toPay);
    }
    text += parts[k + 1]!;
  }
  return text;
}

/**
 * A line's accrual once `pointsPaid` of it is paid with points: percentage contributions apply to what is
 * paid with money, fixed ones stay. Apply the daily allowance again with `capAccruals` on the sum.
 */
export function accrualAfterPointsPayment(line: LineResult, pointsPaid: number): number {
  let total = 0;
  const paidWithMoney = line.total - pointsPaid;
  for (const c of line.contributions) {
    if (c.kind !== "accrual") continue;
    total += c.rateBp > 0 ? Math.min(c.amount, percentOf(paidWithMoney, c.rateBp)) : c.amount;
  }
  return total;
}

/** Trims per-line accruals to an allowance (largest remainder, proportional); returns them unchanged if within. */
export function capAccruals(accruals: readonly number[], allowance: number | null): number[] {
  let sum = 0;
  for (const a of accruals) sum += a;
  if (allowance === null || sum <= allowance) return [...accruals];
  return allocate(Math.max(0, allowance), accruals, accruals);
}
