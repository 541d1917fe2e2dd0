/**
 * Batches of new cards in a number range: prefix, zero-padded serials, check digit (EAN-13 or Luhn),
 * physical or virtual, each with an empty points account. All or nothing: a batch that would reuse an
 * existing number is refused whole.
 */
import type { CardStatus } from "@kopilka/contract";
import { type CardRange, numberInRange, rangeProblem, serialDigits } from "../../core/card-numbers.js";
import type { Database, Trx } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { openAccounts } from "../points/index.js";

export interface CardBatchRequest {
  partnerId: number;
  programId: number;
  range: CardRange;
  /** First serial (0-based) of the batch inside the range. */
  firstSerial: number;
  count: number;
  virtual: boolean;
  status?: CardStatus;
}

export interface GeneratedBatch {
  count: number;
  first: string;
  last: string;
}

export const MAX_GENERATED_BATCH = 1_000_000;
const CHUNK = 1000;

export async function generateCards(
  database: Database,
  request: CardBatchRequest,
  now: number,
  onProgress: (done: number) => void = () => {},
): Promise<GeneratedBatch> {
  checkBatch(request);
  return database.transaction((trx) => generateCardsIn(trx, request, now, onProgress));
}

function checkBatch(request: CardBatchRequest): void {
  const { range, firstSerial, count } = request;
  const problem = rangeProblem(range);
  if (problem) throw new DomainError("CARD_RANGE_INVALID", problem, { field: "range", reason: problem });
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_GENERATED_BATCH) {
    throw new DomainError("VALIDATION_FAILED", `count must be 1 to ${MAX_GENERATED_BATCH}`, {
      field: "count",
    });
  }
  if (!Number.isSafeInteger(firstSerial) || firstSerial < 0) {
    throw new DomainError("VALIDATION_FAILED", "the first serial must be a whole number ≥ 0", {
      field: "from",
    });
  }
  const capacity = 10 ** serialDigits(range);
  if (firstSerial + count > capacity) {
    const reason = `the range holds serials 0 to ${capacity - 1}`;
    throw new DomainError("CARD_RANGE_INVALID", reason, { field: "count", reason });
  }
}

/** The batch in the caller's transaction (the cabinet records its audit entry in the same one). */
export async function generateCardsIn(
  trx: Trx,
  request: CardBatchRequest,
  now: number,
  onProgress: (done: number) => void = () => {},
): Promise<GeneratedBatch> {
  checkBatch(request);
  const { range, firstSerial, count } = request;
  for (let start = 0; start < count; start += CHUNK) {
    const size = Math.min(CHUNK, count - start);
    const values = Array.from({ length: size }, (_, k) => ({
      partner_id: request.partnerId,
      program_id: request.programId,
      number: numberInRange(range, firstSerial + start + k),
      status: request.status ?? "active",
      level: null,
      client_id: null,
      virtual: request.virtual ? 1 : 0,
      created_at: now,
      updated_at: now,
    }));
    const rows = await trx
      .insertInto("cards")
      .values(values)
      .onConflict((oc) => oc.columns(["partner_id", "number"]).doNothing())
      .returning("id")
      .execute();
    if (rows.length < size) {
      throw new DomainError("CARD_RANGE_CONFLICT", "the batch overlaps cards that already exist", {
        field: "from",
        reason: `${size - rows.length} numbers between ${values[0]!.number} and ${values[size - 1]!.number} exist`,
      });
    }
    await openAccounts(
      trx,
      rows.map((r) => ({ cardId: r.id, balance: 0 })),
      now,
    );
    onProgress(start + size);
  }
  return {
    count,
    first: numberInRange(range, firstSerial),
    last: numberInRange(range, firstSerial + count - 1),
  };
}
