/**
 * simulate: prices a receipt for a card, or for a card profile, exactly as calculate would, and explains
 * it (every rule that gave nothing, and why), without writing anything.
 */
import type { CardStatus } from "../../core/engine/types.js";
import { pricedLines } from "../../core/receipt.js";
import type { ClientFacts, RuleCard, RuleReason } from "../../core/rules/types.js";
import { DomainError } from "../../kernel/errors.js";
import { findCard } from "../cards/index.js";
import type { LoadedProgram } from "../programs/index.js";
import { loadClientFacts, loadHistory } from "./history.js";
import {
  evaluateReceipt,
  lineSources,
  type PurchaseDeps,
  type ReceiptInput,
  rulesVersionOf,
  summaryOf,
} from "./pricing.js";

export interface SimulateInput {
  storeCode: string;
  cardNumber?: string;
  profile?: {
    level?: string | null;
    status?: CardStatus;
    client?: ClientFacts;
    history?: Record<string, number>;
  };
  /** Epoch ms; the current instant by default. */
  at?: number;
  promoCodes?: string[];
  pointsPayment?: boolean;
  lines: ReceiptInput["lines"];
}

const reasonView = (r: RuleReason) => ({
  code: r.code,
  text: r.text,
  ...(r.path !== undefined ? { path: r.path } : {}),
  ...(r.winnerRuleId !== undefined ? { winnerRuleId: r.winnerRuleId } : {}),
  ...(r.group !== undefined ? { group: r.group } : {}),
});

/**
 * `program`: the program to simulate (a card's own program otherwise, or the partner's default one).
 * The card, when named, must belong to that program.
 */
export async function simulate(
  deps: Pick<PurchaseDeps, "database" | "programs" | "stores" | "clock">,
  partnerId: number,
  program: LoadedProgram | null,
  input: SimulateInput,
) {
  const store = await deps.stores.byCode(partnerId, input.storeCode);
  if (!store) throw new DomainError("STORE_NOT_FOUND", `no store ${input.storeCode}`, { field: "storeCode" });
  const card = input.cardNumber ? await findCard(deps.database.db, partnerId, input.cardNumber) : null;
  if (input.cardNumber && !card)
    throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "cardNumber" });
  if (card && program && card.programId !== program.program.id)
    throw new DomainError("CARD_PROGRAM_MISMATCH", "the card belongs to another program", {
      field: "cardNumber",
    });
  const loaded =
    program ?? (card ? await deps.programs.get(card.programId) : await deps.programs.defaultFor(partnerId));
  const now = input.at ?? deps.clock.now();
  const profile = input.profile;
  const ruleCard: RuleCard | null =
    card || profile
      ? {
          status: profile?.status ?? card?.status ?? "active",
          level: profile?.level !== undefined ? profile.level : (card?.level ?? null),
        }
      : null;
  const specs = loaded?.engine.requiredHistoryFacts() ?? [];
  const history = {
    ...(card && specs.length > 0
      ? await loadHistory(deps.database, card.id, specs, now, store.timezone)
      : {}),
    ...profile?.history,
  };
  // The card's holder as the till would see them; a profile's attributes replace the stored ones.
  const stored = card && loaded?.needsClient ? await loadClientFacts(deps.database.db, card.id) : null;
  const client = stored || profile?.client ? { ...stored, ...profile?.client } : null;
  const sources = await lineSources(deps, partnerId, input.lines);
  const evaluation = evaluateReceipt(
    loaded,
    store,
    await deps.programs.partnerCode(partnerId),
    sources,
    {
      now,
      card: ruleCard,
      client,
      history,
      promoCodes: input.promoCodes ?? [],
      pointsPayment: input.pointsPayment ?? false,
    },
    true,
  );
  const summary = summaryOf(loaded, evaluation);
  const priced = pricedLines(sources, evaluation);
  return {
    programCode: loaded?.program.code ?? null,
    rulesVersion: rulesVersionOf(loaded),
    at: new Date(now).toISOString(),
    subtotal: evaluation.subtotal,
    discountTotal: evaluation.discountTotal,
    total: evaluation.total,
    accrualTotal: evaluation.accrualTotal,
    pointsPaymentLimit: summary.pointsPaymentLimit,
    lines: priced.map((l) => ({
      lineId: l.lineId,
      amount: l.amount,
      discount: l.discount,
      total: l.total,
      accrual: l.accrual,
      pointsPaymentCap: l.pointsPaymentCap,
      discounts: l.discounts ?? [],
      accruals: l.accruals ?? [],
    })),
    appliedRules: evaluation.appliedRules.map((r) => ({ ...r, notes: r.notes.map(reasonView) })),
    skippedRules: (evaluation.skippedRules ?? []).map((r) => ({ ...r, reason: reasonView(r.reason) })),
    messages: summary.messages,
    appliedPromoCodes: evaluation.appliedPromoCodes,
    unknownPromoCodes: evaluation.unknownPromoCodes,
    history: Object.fromEntries(specs.map((s) => [s.key, history[s.key] ?? 0])),
  };
}
