import { describe, expect, it } from "vitest";
import { compileRules } from "../../../src/core/rules/engine.js";
import { input, line, percentOff, product, rule, TERMS } from "./fixtures.js";

const brandInCategory = rule(
  1,
  [percentOff(1_000)],
  [{ type: "products", params: { set: { categories: ["pain"], brands: ["Bayer"], match: "all" } } }],
);

describe("candidates", () => {
  it("a rule whose `all` set no line is in is not a candidate, with the same result as a full scan", () => {
    const indexed = compileRules([brandInCategory], TERMS);
    const scanned = compileRules([brandInCategory], TERMS, { useIndex: false });
    // The brand finds the rule, but the line's category is not in the set.
    const elsewhere = input({ lines: [line({ lineId: "1", product: product({ category: "cold" }) })] });
    expect(indexed.countCandidates(elsewhere)).toBe(0);
    expect(indexed.evaluate(elsewhere)).toEqual(scanned.evaluate(elsewhere));
    expect(indexed.evaluate(elsewhere).discountTotal).toBe(0);

    const both = input({
      lines: [
        line({ lineId: "1", product: product({ category: "cold" }) }),
        line({ lineId: "2", product: product() }),
      ],
    });
    expect(indexed.countCandidates(both)).toBe(1);
    const result = indexed.evaluate(both);
    expect(result).toEqual(scanned.evaluate(both));
    expect(result.lines.map((l) => l.discount)).toEqual([0, 1_000]);
  });

  it("a product object met again, as the catalogue's cache hands it out, reaches the same rules, barcodes checked per line", () => {
    const rules = [
      brandInCategory,
      rule(
        2,
        [percentOff(500)],
        [{ type: "products", params: { set: { brands: ["Bayer"], barcodes: ["460001"], match: "all" } } }],
      ),
      rule(
        3,
        [percentOff(300)],
        [{ type: "products", params: { set: { skus: ["SKU-2"], categories: ["pain"] } } }],
      ),
      rule(4, [percentOff(200)], [{ type: "products", params: { set: { barcodes: ["460002"] } } }]),
    ];
    const indexed = compileRules(rules, TERMS);
    const scanned = compileRules(rules, TERMS, { useIndex: false });
    // The same objects in every receipt, in turns with other barcodes, lines and orders.
    const bayer = product();
    const cold = product({ sku: "SKU-2", category: "cold" });
    const receipts = [
      [line({ lineId: "1", product: bayer, barcode: "460001" })],
      [line({ lineId: "1", product: bayer, barcode: "460002" })],
      [line({ lineId: "1", product: bayer })],
      [
        line({ lineId: "1", product: cold, barcode: "460001" }),
        line({ lineId: "2", product: bayer, barcode: "460001" }),
      ],
      [line({ lineId: "1", product: bayer, barcode: "460002" }), line({ lineId: "2", product: cold })],
    ];
    const applied = receipts.map((lines) => {
      const receipt = input({ lines });
      const result = indexed.evaluate(receipt);
      expect(result).toEqual(scanned.evaluate(receipt));
      return result.appliedRules.map((r) => r.ruleId);
    });
    expect(applied).toEqual([
      [1, 2, 3],
      [1, 3, 4],
      [1, 3],
      [1, 2, 3],
      [1, 3, 4],
    ]);
  });

  it("conditions the context settles still decide on the rules that reach the receipt", () => {
    const rules = [
      rule(1, [percentOff(500)], [{ type: "stores", params: { stores: ["S1"] } }]),
      rule(2, [percentOff(700)], [{ type: "stores", params: { stores: ["S2"] } }]),
      rule(3, [percentOff(300)], [{ type: "card_levels", params: { levels: ["gold"] } }]),
      rule(4, [percentOff(200)], [{ type: "weekdays", params: { days: [3] } }]),
      rule(5, [percentOff(100)], [{ type: "time_of_day", params: { from: "13:00", to: "14:00" } }]),
    ];
    const indexed = compileRules(rules, TERMS);
    const scanned = compileRules(rules, TERMS, { useIndex: false });
    for (const over of [
      {},
      { card: { status: "active" as const, level: "gold" } },
      { store: { code: "S2", partner: "P1", timeZone: "Europe/Moscow" } },
      { store: null },
      { card: null },
    ]) {
      const receipt = input(over);
      expect(indexed.evaluate(receipt)).toEqual(scanned.evaluate(receipt));
    }
    // S1, a Wednesday at noon, no level: rules 1 and 4.
    expect(indexed.evaluate(input()).appliedRules.map((r) => r.ruleId)).toEqual([1, 4]);
  });

  it("a cashier message substitutes every placeholder, adjacent or at either end", () => {
    const message = (template: string) =>
      compileRules(
        [rule(1, [percentOff(1_000), { type: "cashier_message", params: { template } }])],
        TERMS,
      ).evaluate(input()).messages[0]!.text;
    expect(message("{ruleDiscount}{toPay}")).toBe("10,00 ₽90,00 ₽");
    expect(message("Скидка {ruleDiscount}, к оплате {toPay}.")).toBe("Скидка 10,00 ₽, к оплате 90,00 ₽.");
    expect(message("Без подстановок")).toBe("Без подстановок");
  });
});
