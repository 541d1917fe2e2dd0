import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBasicEngine } from "../../../src/core/engine/basic-engine.js";
import { createAdaptedEngine } from "../../../src/core/rules/adapter.js";
import { scenarioArb } from "../engine-arbitraries.js";

/**
 * The adapter must let the purchase flow run on the rule engine with unchanged results: on the basic
 * engine's own property scenarios, both engines answer identically.
 */
describe("rule engine behind the PricingEngine interface", () => {
  it("reproduces the basic engine on its property scenarios", () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, terms, input }) => {
        const basic = createBasicEngine(rules, terms).evaluate(input);
        const adapted = createAdaptedEngine(rules, terms).evaluate(input);
        expect({ ...adapted, appliedPromoCodes: [...adapted.appliedPromoCodes].sort() }).toEqual({
          ...basic,
          appliedPromoCodes: [...basic.appliedPromoCodes].sort(),
        });
      }),
      { numRuns: 1_500 },
    );
  });
});
