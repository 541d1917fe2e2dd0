import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cardGroupOf, cardGroupsProblem, inRange } from "../src/card-groups.js";
import { backoffDelay } from "../src/outbox.js";
import { normalizePhone } from "../src/phone.js";
import { pickCard } from "../src/registration.js";
import type { CardSummary } from "../src/types.js";

describe("card groups", () => {
  const groups = [
    {
      name: "demo",
      loyaltySystem: "kopilka",
      programCode: "main",
      ranges: [{ from: "2000000000001", to: "2000000010000" }],
    },
    { name: "staff", loyaltySystem: "kopilka", prefixes: ["777"] },
    { name: "other", loyaltySystem: "manzana", prefixes: ["9"] },
  ];

  it("finds a card's group by range or prefix; a card of no group is not a loyalty card", () => {
    expect(cardGroupOf("2000000000002", groups)?.name).toBe("demo");
    expect(cardGroupOf("2000000010000", groups)?.name).toBe("demo");
    expect(cardGroupOf("2000000010001", groups)).toBeNull();
    expect(cardGroupOf("200000000002", groups)).toBeNull();
    expect(cardGroupOf("7770001", groups)?.name).toBe("staff");
    expect(cardGroupOf("9123", groups)?.loyaltySystem).toBe("manzana");
    expect(cardGroupOf("", groups)).toBeNull();
    expect(cardGroupOf("12345", groups)).toBeNull();
  });

  it("range membership agrees with BigInt comparison for equal-length numbers", () => {
    const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }).chain((n) => fc.tuple(digits(n), digits(n), digits(n))),
        ([a, b, x]) => {
          const [from, to] = BigInt(a) <= BigInt(b) ? [a, b] : [b, a];
          expect(inRange(x, { from, to })).toBe(BigInt(x) >= BigInt(from) && BigInt(x) <= BigInt(to));
        },
      ),
    );
  });

  it("reports badly formed groups", () => {
    expect(cardGroupsProblem(groups)).toBeNull();
    expect(cardGroupsProblem([{ name: "x", loyaltySystem: "kopilka" }])).toMatch(/neither/);
    expect(
      cardGroupsProblem([{ name: "x", loyaltySystem: "kopilka", ranges: [{ from: "20", to: "100" }] }]),
    ).toMatch(/range/);
  });
});

describe("phone normalization", () => {
  it("spells every common form as +7XXXXXXXXXX", () => {
    for (const input of [
      "+7 916 123-45-67",
      "8 (916) 123 45 67",
      "9161234567",
      "7-916-123-45-67",
      " +79161234567 ",
    ])
      expect(normalizePhone(input)).toBe("+79161234567");
  });

  it("refuses what is not a Russian number", () => {
    for (const input of ["+1 916 123 45 67", "12345", "916123456a", "+7 016 123 45 67", "", "++79161234567"])
      expect(normalizePhone(input)).toBeNull();
  });
});

describe("backoff", () => {
  it("grows exponentially, is capped, jittered between half and all, and never sooner than Retry-After", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: null }),
        (attempt, r, retryAfter) => {
          const d = backoffDelay(attempt, 1000, 60_000, () => r, retryAfter);
          const exp = Math.min(60_000, 1000 * 2 ** (attempt - 1));
          expect(d).toBeGreaterThanOrEqual(Math.max(Math.floor(exp / 2), retryAfter ?? 0));
          expect(d).toBeLessThanOrEqual(Math.max(exp, retryAfter ?? 0));
        },
      ),
    );
  });
});

describe("pickCard", () => {
  const c = (number: string, status: string, virtual: boolean, available: number): CardSummary => ({
    number,
    programCode: "main",
    status,
    level: null,
    virtual,
    clientId: 1,
    balance: { active: available, pending: 0, held: 0, available },
  });

  it("prefers active, then physical, then the most points; never a blocked card", () => {
    expect(
      pickCard([c("1", "blocked", false, 999), c("2", "accrual_only", false, 5), c("3", "active", true, 1)])
        ?.number,
    ).toBe("3");
    expect(pickCard([c("1", "active", true, 999), c("2", "active", false, 5)])?.number).toBe("2");
    expect(pickCard([c("1", "active", false, 5), c("2", "active", false, 50)])?.number).toBe("2");
    expect(pickCard([c("1", "blocked", false, 5)])).toBeNull();
  });
});
