import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sum } from "../../src/core/arithmetic.js";
import {
  applyDeltas,
  assertCanSpend,
  available,
  type Balance,
  creditedLotSize,
  debitLots,
  type EntryDeltas,
  type EntryKind,
  expirablePart,
  type Lot,
  type LotChange,
  spendingOrder,
} from "../../src/core/ledger.js";
import { check, expectDomainError } from "./helpers.js";

/** Independent reference for debitLots: preferred lot first, then earliest expiry, never-expiring last, then id. */
function referenceDebit(lots: readonly Lot[], amount: number, preferredLotId?: number): LotChange[] {
  const key = (l: Lot) => (l.expiresAt === null ? Number.POSITIVE_INFINITY : l.expiresAt);
  const rest = lots.filter((l) => l.id !== preferredLotId).sort((a, b) => key(a) - key(b) || a.id - b.id);
  const ordered = [...lots.filter((l) => l.id === preferredLotId), ...rest];
  const changes: LotChange[] = [];
  let left = amount;
  for (const l of ordered) {
    if (left === 0) break;
    if (l.remaining <= 0) continue;
    const take = Math.min(left, l.remaining);
    changes.push({ lotId: l.id, remaining: l.remaining - take });
    left -= take;
  }
  return changes;
}

const lotsArb = fc
  .uniqueArray(fc.nat({ max: 1_000 }), { maxLength: 10 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(id),
          remaining: fc.oneof(fc.constant(0), fc.nat({ max: 500 })),
          // Few distinct expiry dates so ties (broken by id) are common.
          expiresAt: fc.option(fc.constantFrom(1_000, 2_000, 3_000), { nil: null }),
        }),
      ),
    ),
  )
  .map((lots): Lot[] => lots);

describe("debitLots", () => {
  it("takes min(amount, remaining) oldest-expiry first, the preferred lot before all others", () => {
    fc.assert(
      fc.property(
        lotsArb,
        fc.nat({ max: 3_000 }),
        fc.option(fc.nat({ max: 1_000 })),
        (lots, amount, preferred) => {
          const preferredLotId = preferred ?? undefined;
          const changes = debitLots(lots, amount, preferredLotId);
          expect(changes).toEqual(referenceDebit(lots, amount, preferredLotId));
          const before = new Map(lots.map((l) => [l.id, l.remaining]));
          const taken = sum(changes.map((c) => before.get(c.lotId)! - c.remaining));
          expect(taken).toBe(Math.min(amount, sum(lots.map((l) => l.remaining))));
          for (const c of changes) {
            expect(c.remaining).toBeGreaterThanOrEqual(0);
            expect(c.remaining).toBeLessThan(before.get(c.lotId)!);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("examples", () => {
    const lots: Lot[] = [
      { id: 1, remaining: 100, expiresAt: null },
      { id: 2, remaining: 50, expiresAt: 5_000 },
      { id: 3, remaining: 30, expiresAt: 1_000 },
    ];
    // Earliest expiry (lot 3) first, then lot 2, never-expiring lot 1 last.
    expect(debitLots(lots, 60)).toEqual([
      { lotId: 3, remaining: 0 },
      { lotId: 2, remaining: 20 },
    ]);
    // Reversing the accrual that created lot 1 takes from it first.
    expect(debitLots(lots, 120, 1)).toEqual([
      { lotId: 1, remaining: 0 },
      { lotId: 3, remaining: 10 },
    ]);
    // More than the lots hold: all drained, the rest becomes debt (not represented in lots).
    expect(debitLots(lots, 1_000).map((c) => c.remaining)).toEqual([0, 0, 0]);
    expect(debitLots(lots, 0)).toEqual([]);
    expect(() => debitLots(lots, -1)).toThrow(RangeError);
  });
});

describe("creditedLotSize and assertCanSpend", () => {
  it("a credit first repays debt", () => {
    expect(creditedLotSize(100, 50)).toBe(50);
    expect(creditedLotSize(-30, 50)).toBe(20);
    expect(creditedLotSize(-80, 50)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000, max: 10_000 }),
        fc.nat({ max: 10_000 }),
        (activeBefore, amount) => {
          const size = creditedLotSize(activeBefore, amount);
          expect(size).toBeGreaterThanOrEqual(0);
          expect(size).toBeLessThanOrEqual(amount);
          // What lands in lots is exactly the growth of the positive part of the balance.
          expect(size).toBe(Math.max(activeBefore + amount, 0) - Math.max(activeBefore, 0));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("assertCanSpend allows exactly active - (held - ownHold)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000, max: 10_000 }),
        fc.nat({ max: 5_000 }),
        fc.nat({ max: 1_000 }),
        fc.nat({ max: 12_000 }),
        (active, held, ownHoldPermille, amount) => {
          const ownHold = Math.floor((held * ownHoldPermille) / 1000);
          const b: Balance = { active, pending: 0, held };
          const free = active - held + ownHold;
          if (amount <= free) {
            expect(() => assertCanSpend(b, amount, ownHold)).not.toThrow();
          } else {
            const err = expectDomainError(() => assertCanSpend(b, amount, ownHold), "INSUFFICIENT_POINTS");
            expect(err.details).toEqual({ field: "amount", available: Math.max(0, free) });
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** An in-memory account driven only by the core functions, the way the persistence layer is meant to use them. */
interface Account {
  balance: Balance;
  entries: (EntryDeltas & { kind: EntryKind })[];
  lots: Lot[];
  nextLotId: number;
  /** Active accruals that may be reversed: the lot they created (null if the credit only repaid debt). */
  accruals: { lotId: number | null; amount: number; reversed: number }[];
  pendings: number[];
  holds: number[];
}

type Op =
  | { op: "accrue"; amount: number; expiresAt: number | null }
  | { op: "accruePending"; amount: number }
  | { op: "activate"; pick: number }
  | { op: "hold"; permille: number }
  | { op: "spend"; permille: number; holdPick: number | null }
  | { op: "reverse"; pick: number; permille: number }
  | { op: "expire"; pick: number }
  | { op: "adjust"; delta: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("accrue" as const),
    amount: fc.nat({ max: 10_000 }),
    expiresAt: fc.option(fc.constantFrom(1_000, 2_000, 3_000, 4_000), { nil: null }),
  }),
  fc.record({ op: fc.constant("accruePending" as const), amount: fc.nat({ max: 10_000 }) }),
  fc.record({ op: fc.constant("activate" as const), pick: fc.nat({ max: 20 }) }),
  fc.record({ op: fc.constant("hold" as const), permille: fc.nat({ max: 1_500 }) }),
  fc.record({
    op: fc.constant("spend" as const),
    // Up to 1.5x what is free, so over-spends are common.
    permille: fc.oneof(fc.constant(1_000), fc.nat({ max: 1_500 })),
    holdPick: fc.option(fc.nat({ max: 20 }), { nil: null }),
  }),
  fc.record({
    op: fc.constant("reverse" as const),
    pick: fc.nat({ max: 20 }),
    permille: fc.nat({ max: 1_000 }),
  }),
  fc.record({ op: fc.constant("expire" as const), pick: fc.nat({ max: 20 }) }),
  fc.record({ op: fc.constant("adjust" as const), delta: fc.integer({ min: -5_000, max: 5_000 }) }),
);

function post(acc: Account, kind: EntryKind, deltas: EntryDeltas): void {
  acc.entries.push({ kind, ...deltas });
  acc.balance = applyDeltas(acc.balance, deltas);
}

function applyChanges(acc: Account, changes: readonly LotChange[]): void {
  const byId = new Map(changes.map((c) => [c.lotId, c.remaining]));
  acc.lots = acc.lots.map((l) => (byId.has(l.id) ? { ...l, remaining: byId.get(l.id)! } : l));
}

/** Credits active points: the entry carries the whole amount, the new lot only what is left after debt. */
function credit(
  acc: Account,
  kind: EntryKind,
  amount: number,
  expiresAt: number | null,
  pendingDelta = 0,
): number | null {
  const size = creditedLotSize(acc.balance.active, amount);
  post(acc, kind, { activeDelta: amount, pendingDelta });
  if (size === 0) return null;
  const id = acc.nextLotId++;
  acc.lots.push({ id, remaining: size, expiresAt });
  return id;
}

function debit(acc: Account, kind: EntryKind, amount: number, preferredLotId?: number): void {
  applyChanges(acc, debitLots(acc.lots, amount, preferredLotId));
  post(acc, kind, { activeDelta: -amount, pendingDelta: 0 });
}

function step(acc: Account, o: Op): void {
  const b = acc.balance;
  switch (o.op) {
    case "accrue": {
      const lotId = credit(acc, "accrual", o.amount, o.expiresAt);
      acc.accruals.push({ lotId, amount: o.amount, reversed: 0 });
      return;
    }
    case "accruePending":
      post(acc, "accrual", { activeDelta: 0, pendingDelta: o.amount });
      acc.pendings.push(o.amount);
      return;
    case "activate": {
      if (acc.pendings.length === 0) return;
      const [amount] = acc.pendings.splice(o.pick % acc.pendings.length, 1);
      const lotId = credit(acc, "activation", amount!, null, -amount!);
      acc.accruals.push({ lotId, amount: amount!, reversed: 0 });
      return;
    }
    case "hold": {
      const amount = Math.floor((Math.max(0, b.active - b.held) * o.permille) / 1000);
      const free = b.active - b.held;
      if (amount > free) {
        expectDomainError(() => assertCanSpend(b, amount, 0), "INSUFFICIENT_POINTS");
        return;
      }
      assertCanSpend(b, amount, 0);
      acc.holds.push(amount);
      acc.balance = { ...b, held: b.held + amount };
      return;
    }
    case "spend": {
      const holdIndex = o.holdPick === null || acc.holds.length === 0 ? -1 : o.holdPick % acc.holds.length;
      const ownHold = holdIndex < 0 ? 0 : acc.holds[holdIndex]!;
      const free = b.active - b.held + ownHold;
      const amount = Math.floor((Math.max(0, free) * o.permille) / 1000) + (o.permille > 1_000 ? 1 : 0);
      if (amount > free) {
        const before = structuredClone(acc);
        expectDomainError(() => assertCanSpend(b, amount, ownHold), "INSUFFICIENT_POINTS");
        expect(acc).toEqual(before);
        return;
      }
      assertCanSpend(b, amount, ownHold);
      if (holdIndex >= 0) acc.holds.splice(holdIndex, 1);
      acc.balance = { ...b, held: b.held - ownHold };
      debit(acc, "spend", amount);
      // A permitted spend never leaves the account with less active than other purchases hold.
      check(
        acc.balance.active - acc.balance.held >= 0,
        () => `spend overdrew: ${JSON.stringify(acc.balance)}`,
      );
      return;
    }
    case "reverse": {
      const open = acc.accruals.filter((a) => a.reversed < a.amount);
      if (open.length === 0) return;
      const a = open[o.pick % open.length]!;
      const amount = Math.max(1, Math.floor(((a.amount - a.reversed) * o.permille) / 1000));
      a.reversed += amount;
      if (a.lotId !== null) {
        const lot = acc.lots.find((l) => l.id === a.lotId)!;
        const changes = debitLots(acc.lots, amount, a.lotId);
        // The reversed accrual's own lot is drawn first whenever it still holds points.
        if (lot.remaining > 0) check(changes[0]?.lotId === a.lotId, () => "preferred lot not taken first");
        applyChanges(acc, changes);
        post(acc, "reversal", { activeDelta: -amount, pendingDelta: 0 });
      } else {
        debit(acc, "reversal", amount);
      }
      return;
    }
    case "expire": {
      const expiring = acc.lots.filter((l) => l.expiresAt !== null && l.remaining > 0);
      if (expiring.length === 0) return;
      const lot = expiring[o.pick % expiring.length]!;
      applyChanges(acc, [{ lotId: lot.id, remaining: 0 }]);
      post(acc, "expiry", { activeDelta: -lot.remaining, pendingDelta: 0 });
      return;
    }
    case "adjust":
      if (o.delta >= 0) credit(acc, "adjustment", o.delta, null);
      else debit(acc, "adjustment", -o.delta);
      return;
  }
}

function checkInvariants(acc: Account): void {
  const b = acc.balance;
  const show = () => JSON.stringify({ balance: b, lots: acc.lots, holds: acc.holds });
  check(b.active === sum(acc.entries.map((e) => e.activeDelta)), show);
  check(b.pending === sum(acc.entries.map((e) => e.pendingDelta)), show);
  check(b.pending === sum(acc.pendings), show);
  check(b.pending >= 0, show);
  check(
    acc.lots.every((l) => l.remaining >= 0),
    show,
  );
  check(sum(acc.lots.map((l) => l.remaining)) === Math.max(b.active, 0), show);
  check(b.held === sum(acc.holds) && b.held >= 0, show);
  check(available(b) === Math.max(0, b.active - b.held), show);
}

describe("ledger: random account histories", () => {
  it("keep balance = sum of entries, lots = max(active, 0), and reject over-spends", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const acc: Account = {
          balance: { active: 0, pending: 0, held: 0 },
          entries: [],
          lots: [],
          nextLotId: 1,
          accruals: [],
          pendings: [],
          holds: [],
        };
        for (const o of ops) {
          step(acc, o);
          checkInvariants(acc);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("example: debt from a reversal is repaid by the next credit before a new lot is opened", () => {
    const acc: Account = {
      balance: { active: 0, pending: 0, held: 0 },
      entries: [],
      lots: [],
      nextLotId: 1,
      accruals: [],
      pendings: [],
      holds: [],
    };
    step(acc, { op: "accrue", amount: 1_000, expiresAt: null });
    step(acc, { op: "spend", permille: 800, holdPick: null }); // spends 800
    // Reversing the whole 1000 accrual: only 200 left in lots, active goes to -800.
    step(acc, { op: "reverse", pick: 0, permille: 1_000 });
    expect(acc.balance.active).toBe(-800);
    expect(sum(acc.lots.map((l) => l.remaining))).toBe(0);
    step(acc, { op: "adjust", delta: 500 });
    expect(acc.balance.active).toBe(-300);
    expect(acc.lots).toHaveLength(1); // no new lot: the credit only repaid debt
    step(acc, { op: "adjust", delta: 500 });
    expect(acc.balance.active).toBe(200);
    expect(acc.lots.at(-1)).toMatchObject({ remaining: 200 });
    checkInvariants(acc);
    // Any spend above 200 is refused.
    expectDomainError(() => assertCanSpend(acc.balance, 201, 0), "INSUFFICIENT_POINTS");
  });
});

describe("expirablePart", () => {
  it("keeps exactly the held points, taken from the lots in spending order", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            remaining: fc.nat({ max: 100_000 }),
            expiresAt: fc.option(fc.nat({ max: 1000 }), { nil: null }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.nat({ max: 500_000 }),
        (raw, held) => {
          const lots = raw.map((l, i) => ({ id: i + 1, ...l }));
          const total = lots.reduce((s, l) => s + l.remaining, 0);
          const parts = lots.map((l) => expirablePart(lots, l.id, held));
          // If every lot expired now, exactly what the holds do not need would go.
          expect(parts.reduce((s, v) => s + v, 0)).toBe(Math.max(0, total - held));
          lots.forEach((l, i) => {
            expect(parts[i]).toBeGreaterThanOrEqual(0);
            expect(parts[i]).toBeLessThanOrEqual(l.remaining);
          });
          // The lot spent first is the last to keep anything back from expiry.
          const first = [...lots].sort(spendingOrder)[0]!;
          expect(expirablePart(lots, first.id, held)).toBe(Math.max(0, first.remaining - held));
        },
      ),
      { numRuns: 500 },
    );
  });
});
