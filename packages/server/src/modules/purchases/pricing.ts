/**
 * Pricing a receipt, shared by calculate and by a late confirm that must price a lost purchase again:
 * the store, the card, the lines against the catalogue, the program's engine.
 */
import { lineAmount } from "../../core/arithmetic.js";
import { createBasicEngine } from "../../core/engine/basic-engine.js";
import type { EngineResult, ProductFacts } from "../../core/engine/types.js";
import { type LineSource, type PricedLine, pricedLines } from "../../core/receipt.js";
import type { Database } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import type { Clock, Principal } from "../../kernel/index.js";
import { type Card, findCard } from "../cards/index.js";
import { findProducts } from "../catalog/index.js";
import type { LoadedProgram, ProgramCatalog } from "../programs/index.js";
import type { Store, StoreDirectory } from "../stores/index.js";
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
  clock: Clock;
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

export interface Priced {
  store: Store;
  card: Card | null;
  loaded: LoadedProgram | null;
  evaluation: EngineResult;
  lines: PricedLine[];
  rulesVersion: string;
}

/** Partners without a loyalty program still get their receipts priced: by an engine with no rules. */
const NO_RULES = createBasicEngine([], { maxPointsPaymentShareBp: 0 });
const FIRST_ENGINE = "basic-1";

/**
 * The engine, program and version a purchase is priced with: the same string later means the same rules,
 * so a lost purchase can be priced again exactly. Rules are only ever added, each addition bumping the
 * program's version, so a version that is still current can be rebuilt and an older one cannot.
 */
export function rulesVersionOf(loaded: LoadedProgram | null): string {
  if (!loaded) return `${NO_RULES.id ?? FIRST_ENGINE}/none`;
  return `${loaded.engine.id ?? FIRST_ENGINE}/${loaded.program.id}/${loaded.program.version}`;
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
  const card = await findCard(deps.database.db, partnerId, number);
  if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "cardNumber" });
  if (card.status === "blocked")
    throw new DomainError("CARD_BLOCKED", "the card is blocked", { field: "cardNumber" });
  return card;
}

type ReceiptSource = LineSource & { amount: number; product: ProductFacts | null };

async function lineSources(
  deps: PurchaseDeps,
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
  const found = await findProducts(deps.database.db, partnerId, skus, barcodes);
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

/** Prices a receipt for `card` (already checked usable, or null) with the program it belongs to. */
export async function priceReceipt(
  deps: PurchaseDeps,
  principal: Principal,
  input: ReceiptInput,
  store: Store,
  card: Card | null,
): Promise<Priced> {
  const loaded = card
    ? await deps.programs.get(card.programId)
    : await deps.programs.defaultFor(principal.partnerId);
  const sources = await lineSources(deps, principal.partnerId, input.lines);
  const evaluation = (loaded?.engine ?? NO_RULES).evaluate({
    lines: sources.map((s) => ({
      lineId: s.lineId,
      product: s.product,
      quantity: s.quantity,
      unitPrice: s.unitPrice,
      amount: s.amount,
    })),
    card: card ? { status: card.status, level: card.level } : null,
    promoCodes: input.promoCodes ?? [],
  });
  if (evaluation.subtotal > MAX_RECEIPT_TOTAL) {
    throw new DomainError("RECEIPT_TOO_LARGE", `the receipt total exceeds ${MAX_RECEIPT_TOTAL} kopecks`, {
      field: "lines",
    });
  }
  return {
    store,
    card,
    loaded,
    evaluation,
    lines: pricedLines(sources, evaluation),
    rulesVersion: rulesVersionOf(loaded),
  };
}

export function programOf(deps: PurchaseDeps, programId: number | null, trx: Database["db"]) {
  return programId === null ? Promise.resolve(null) : deps.programs.get(programId, trx);
}
