/**
 * Pricing a receipt, shared by calculate and by a late confirm that must price a lost purchase again:
 * the store, the card, the lines against the catalogue, the program's engine.
 */
import { lineAmount, percentOf } from "../../core/arithmetic.js";
import type { CashierMessage, ProductFacts } from "../../core/engine/types.js";
import { type LineSource, type PricedLine, pricedLines } from "../../core/receipt.js";
import { compileRules } from "../../core/rules/engine.js";
import { formatRublesRu } from "../../core/rules/format.js";
import type {
  ClientFacts,
  Evaluation,
  IssuePromoCodeInstruction,
  RuleCard,
  RuleEngine,
  RuleInput,
} from "../../core/rules/types.js";
import type { Database } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import type { Clock, Principal } from "../../kernel/index.js";
import { accrualAllowance, type CapHitListener } from "../anti-fraud/index.js";
import { type Card, type CardRow, cardOf, committedCard } from "../cards/index.js";
import { findProducts, type ProductDirectory } from "../catalog/index.js";
import { type DiscountPriced, priceWithDiscountProgram } from "../discount-programs/index.js";
import { type CardBalance, cardBalanceOf } from "../points/index.js";
import { type LoadedProgram, type ProgramCatalog, RULE_ENGINE_ID } from "../programs/index.js";
import type { Store, StoreDirectory } from "../stores/index.js";
import { loadClientFacts, loadHistory } from "./history.js";
import type { PurchaseRepository } from "./purchase-repository.js";

/** Receipts above this (100 million rubles) are refused: far beyond any till, far below 2^53. */
const MAX_RECEIPT_TOTAL = 10_000_000_000;
/** Calculated purchases of partners without a program still need a lifetime. */
const DEFAULT_TTL_SECONDS = 1800;

/** What every purchase command works with. */
export interface PurchaseDeps {
  database: Database;
  repository: PurchaseRepository;
  programs: ProgramCatalog;
  stores: StoreDirectory;
  products: ProductDirectory;
  clock: Clock;
  /** Told of each anti-fraud cap hit once written (the Prometheus counter). */
  onCapHit?: CapHitListener;
}

export interface ReceiptInput {
  storeCode: string;
  cardNumber?: string;
  promoCodes?: string[];
  lines: {
    lineId: string;
    sku?: string;
    barcode?: string;
    quantity: number;
    price: number;
    amount?: number;
  }[];
}

/** What a priced receipt carries besides its lines. */
export interface PricingSummary {
  /** The most the receipt may be paid with points by the rules and the program's share. */
  pointsPaymentLimit: number;
  appliedPromoCodes: string[];
  unknownPromoCodes: string[];
  messages: CashierMessage[];
  /** What confirm must carry out (issue a promo code). */
  instructions: IssuePromoCodeInstruction[];
  /** The rules that gave something, compactly: "id:version,id:version" (null when none). */
  appliedRules: string | null;
}

export interface Priced {
  store: Store;
  card: Card | null;
  loaded: LoadedProgram | null;
  evaluation: PricingSummary;
  lines: PricedLine[];
  rulesVersion: string;
  /** Set when a manufacturer's discount program priced the receipt: the limits calculate reserves. */
  discountProgram?: DiscountPriced;
}

/** Partners without a loyalty program still get their receipts priced: by an engine with no rules. */
const NO_RULES: RuleEngine = compileRules([], { maxPointsPaymentShareBp: 0 });

/**
 * The engine, program and version a purchase is priced with: the same string later names exactly the same
 * rule versions and terms (`program_versions`), so a lost purchase can be priced again exactly.
 */
export function rulesVersionOf(loaded: LoadedProgram | null): string {
  return loaded ? loaded.rulesVersion : `${RULE_ENGINE_ID}/none`;
}

export function ttlSecondsOf(loaded: LoadedProgram | null): number {
  return loaded?.program.purchaseTtlSeconds ?? DEFAULT_TTL_SECONDS;
}

export async function storeFor(deps: PurchaseDeps, principal: Principal, storeCode: string): Promise<Store> {
  const store = await deps.stores.byCode(principal.partnerId, storeCode);
  if (!store?.active)
    throw new DomainError("STORE_NOT_FOUND", `no store ${storeCode}`, { field: "storeCode" });
  if (principal.storeId !== null && principal.storeId !== store.id) {
    throw new DomainError("FORBIDDEN", "this credential acts for another store", { field: "storeCode" });
  }
  return store;
}

export async function usableCard(deps: PurchaseDeps, partnerId: number, number: string): Promise<Card> {
  return usable(await committedCard(deps.database, partnerId, number));
}

/**
 * The request's card, if a purchase may use it: the one the caller read moments before when it is that
 * card, else read now. Null without a card number.
 */
export async function requestCard(
  deps: PurchaseDeps,
  partnerId: number,
  number: string | undefined,
  readBefore?: Card,
): Promise<Card | null> {
  if (!number) return null;
  if (readBefore?.number === number && readBefore.partnerId === partnerId) return usable(readBefore);
  return usableCard(deps, partnerId, number);
}

/** The card, if a purchase may use it: throws CARD_NOT_FOUND or CARD_BLOCKED. */
function usable(card: Card | null): Card {
  if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "cardNumber" });
  if (card.status === "blocked")
    throw new DomainError("CARD_BLOCKED", "the card is blocked", { field: "cardNumber" });
  return card;
}

/**
 * What a calculate that may be written behind reads at its arrival, in one prepared read of committed
 * rows: the card, its balance, and whether the purchase id is taken. Three reads before; on PostgreSQL
 * each was a round trip, and its fixed cost (the socket write, the driver's parsing of the row
 * description) was a large part of a calculate.
 */
export interface Arrival {
  card: Card;
  /** Null when the card has no points account (never, for a card created by this server). */
  balance: CardBalance | null;
  purchaseTaken: boolean;
}

export const ARRIVAL = `select c.id, c.partner_id, c.program_id, c.number, c.status, c.level, c.virtual,
    a.active, a.pending, a.held,
    exists (select 1 from purchases p where p.partner_id = ? and p.external_id = ?) as purchase_taken
  from cards c left join points_accounts a on a.card_id = c.id
  where c.partner_id = ? and c.number = ?`;

type ArrivalRow = CardRow & {
  active: number | null;
  pending: number | null;
  held: number | null;
  purchase_taken: number | boolean;
};

/** The arrival of a calculate with a card; throws as `usableCard` does. */
export async function usableCardOnArrival(
  deps: PurchaseDeps,
  partnerId: number,
  number: string,
  purchaseId: string,
): Promise<Arrival> {
  const [row] = await deps.database.prepareRead<ArrivalRow>(ARRIVAL)([
    partnerId,
    purchaseId,
    partnerId,
    number,
  ]);
  const card = usable(row ? cardOf(row) : null);
  const { active, pending, held } = row!;
  return {
    card,
    balance:
      active === null || pending === null || held === null ? null : cardBalanceOf({ active, pending, held }),
    purchaseTaken: Boolean(Number(row!.purchase_taken)),
  };
}

export type ReceiptSource = LineSource & { amount: number; product: ProductFacts | null };

export async function lineSources(
  deps: Pick<PurchaseDeps, "database"> & { products?: ProductDirectory },
  partnerId: number,
  lines: ReceiptInput["lines"],
): Promise<ReceiptSource[]> {
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (seen.has(line.lineId)) {
      throw new DomainError("DUPLICATE_LINE_ID", `lineId ${line.lineId} appears twice`, {
        field: `lines[${i}].lineId`,
      });
    }
    seen.add(line.lineId);
    if (line.sku === undefined && line.barcode === undefined) {
      throw new DomainError("VALIDATION_FAILED", "a line needs a sku or a barcode", {
        field: `lines[${i}].sku`,
      });
    }
  });
  const skus = lines.flatMap((l) => (l.sku !== undefined ? [l.sku] : []));
  const barcodes = lines.flatMap((l) => (l.sku === undefined && l.barcode !== undefined ? [l.barcode] : []));
  const found = deps.products
    ? await deps.products.find(partnerId, skus, barcodes)
    : await findProducts(deps.database.db, partnerId, skus, barcodes);
  return lines.map((line, i) => {
    const product =
      (line.sku !== undefined ? found.bySku.get(line.sku) : undefined) ??
      (line.barcode !== undefined ? found.byBarcode.get(line.barcode) : undefined) ??
      null;
    const full = lineAmount(line.price, line.quantity);
    if (line.amount !== undefined && line.amount > full) {
      throw new DomainError("LINE_AMOUNT_TOO_HIGH", `amount exceeds price × quantity (${full})`, {
        field: `lines[${i}].amount`,
        max: full,
      });
    }
    return {
      lineId: line.lineId,
      sku: product?.sku ?? line.sku ?? null,
      barcode: line.barcode ?? null,
      productKnown: product !== null,
      quantity: line.quantity,
      unitPrice: line.price,
      amount: line.amount ?? full,
      product,
    };
  });
}

/** What the rules are told about the receipt beyond its lines. */
export interface PricingFacts {
  now: number;
  card: RuleCard | null;
  client?: ClientFacts | null;
  history?: Record<string, number>;
  promoCodes: readonly string[];
  pointsPayment?: boolean;
  /** What the card may still earn today under the program's anti-fraud cap; absent: no cap. */
  accrualAllowance?: number | null;
}

/** Evaluates a receipt with a program version's engine (or none). Pure: no I/O. */
export function evaluateReceipt(
  loaded: LoadedProgram | null,
  store: Store,
  partnerCode: string,
  sources: readonly ReceiptSource[],
  facts: PricingFacts,
  explain = false,
): Evaluation {
  const input: RuleInput = {
    now: facts.now,
    store: { code: store.code, partner: partnerCode, timeZone: store.timezone },
    lines: sources.map((s) => ({
      lineId: s.lineId,
      product: s.product,
      barcode: s.barcode,
      quantity: s.quantity,
      unitPrice: s.unitPrice,
      amount: s.amount,
    })),
    card: facts.card,
    client: facts.client ?? null,
    ...(facts.history ? { history: facts.history } : {}),
    promoCodes: facts.promoCodes,
    pointsPayment: facts.pointsPayment ?? false,
    ...(facts.accrualAllowance != null ? { accrualAllowance: facts.accrualAllowance } : {}),
  };
  return (loaded?.engine ?? NO_RULES).evaluate(input, { explain });
}

/** The summary a purchase keeps: the program's share caps points payment per receipt, as it always did. */
export function summaryOf(loaded: LoadedProgram | null, evaluation: Evaluation): PricingSummary {
  const share = loaded?.terms.maxPointsPaymentShareBp ?? 0;
  const pointsPaymentLimit = Math.min(evaluation.pointsPaymentLimit, percentOf(evaluation.total, share));
  let messages = evaluation.messages;
  if (evaluation.discountTotal > 0) {
    // The cashier sees the receipt's discount first, after a card that only accrues.
    const at = messages.findIndex((m) => m.code !== "CARD_ACCRUAL_ONLY");
    const discount = {
      code: "DISCOUNT_APPLIED",
      text: `Скидка по программе: ${formatRublesRu(evaluation.discountTotal)}`,
    };
    messages = at < 0 ? [...messages, discount] : [...messages.slice(0, at), discount, ...messages.slice(at)];
  }
  return {
    pointsPaymentLimit,
    appliedPromoCodes: evaluation.appliedPromoCodes,
    unknownPromoCodes: evaluation.unknownPromoCodes,
    messages: messages.map((m) => ({ code: m.code, text: m.text })),
    instructions: evaluation.instructions,
    appliedRules:
      evaluation.appliedRules.length > 0
        ? evaluation.appliedRules.map((r) => `${r.ruleId}:${r.version}`).join(",")
        : null,
  };
}

export interface PriceOptions {
  /** Price with this program version instead of the card's current one (a late confirm's exact rules). */
  loaded?: LoadedProgram | null;
  /** The purchase being priced: a discount program counts the card's limits without its own holds. */
  purchaseId?: string;
  /** Purchases (row ids) whose limit holds the calculation's own transaction releases: not counted either. */
  releasing?: readonly number[];
}

/** Prices a receipt for `card` (already checked usable, or null) with the program it belongs to. */
export async function priceReceipt(
  deps: PurchaseDeps,
  principal: Principal,
  input: ReceiptInput,
  store: Store,
  card: Card | null,
  options: PriceOptions = {},
): Promise<Priced> {
  const loaded =
    options.loaded !== undefined
      ? options.loaded
      : card
        ? await deps.programs.get(card.programId)
        : await deps.programs.defaultFor(principal.partnerId);
  // --- discount programs (modules/discount-programs): a manufacturer's product list instead of the rules
  const discount =
    loaded?.program.kind === "discount" && card
      ? await priceWithDiscountProgram(deps.database, {
          program: { id: loaded.program.id, code: loaded.program.code, version: loaded.version },
          store,
          partnerCode: await deps.programs.partnerCode(principal.partnerId),
          partnerId: principal.partnerId,
          cardNumber: card.number,
          purchaseExternalId: options.purchaseId ?? "",
          lines: input.lines,
          now: deps.clock.now(),
          ...(options.releasing ? { releasing: options.releasing } : {}),
        })
      : null;
  if (discount) {
    const summary = { pointsPaymentLimit: 0, appliedPromoCodes: [], unknownPromoCodes: [], instructions: [] };
    return {
      store,
      card,
      loaded,
      evaluation: { ...summary, messages: discount.messages, appliedRules: null },
      lines: discount.lines,
      rulesVersion: discount.compiled.rulesVersion,
      discountProgram: discount,
    };
  }
  // --- end discount programs
  const sources = await lineSources(deps, principal.partnerId, input.lines);
  const now = deps.clock.now();
  const history =
    card && loaded?.needsHistory
      ? await loadHistory(deps.database, card.id, loaded.engine.requiredHistoryFacts(), now, store.timezone)
      : undefined;
  const client = card && loaded?.needsClient ? await loadClientFacts(deps.database.db, card.id) : null;
  // --- anti-fraud (modules/anti-fraud): only a program with an accrual cap reads the card's usage
  const allowance =
    card && loaded?.program.antiFraud?.maxAccrualPerCardPerDay != null
      ? await accrualAllowance(deps.database.db, loaded.program.antiFraud, {
          programId: loaded.program.id,
          cardId: card.id,
          now,
          timeZone: store.timezone,
          exceptPurchase: await purchaseRowId(deps, principal.partnerId, options.purchaseId),
        })
      : null;
  // --- end anti-fraud
  const evaluation = evaluateReceipt(
    loaded,
    store,
    await deps.programs.partnerCode(principal.partnerId),
    sources,
    {
      now,
      card: card ? { status: card.status, level: card.level } : null,
      client,
      ...(history ? { history } : {}),
      promoCodes: input.promoCodes ?? [],
      accrualAllowance: allowance,
    },
  );
  if (evaluation.subtotal > MAX_RECEIPT_TOTAL) {
    throw new DomainError("RECEIPT_TOO_LARGE", `the receipt total exceeds ${MAX_RECEIPT_TOTAL} kopecks`, {
      field: "lines",
    });
  }
  return {
    store,
    card,
    loaded,
    evaluation: summaryOf(loaded, evaluation),
    lines: pricedLines(sources, evaluation),
    rulesVersion: rulesVersionOf(loaded),
  };
}

/** The row id of a purchase being priced again, so its own reservation is not counted against it. */
async function purchaseRowId(
  deps: PurchaseDeps,
  partnerId: number,
  externalId: string | undefined,
): Promise<number | null> {
  if (externalId === undefined) return null;
  const row = await deps.database.db
    .selectFrom("purchases")
    .select("id")
    .where("partner_id", "=", partnerId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  return row ? Number(row.id) : null;
}

export function programOf(deps: PurchaseDeps, programId: number | null, trx: Database["db"]) {
  return programId === null ? Promise.resolve(null) : deps.programs.get(programId, trx);
}
