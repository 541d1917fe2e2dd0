/** The Russian words the cabinet shows for the issues rule validation really produces. */
import { issueTextRu, validateRuleDefinition } from "@kopilka/contract";
import { describe, expect, it } from "vitest";

const base = {
  id: 1,
  version: 1,
  program: "main",
  name: "Rule",
  priority: 0,
  stacking: { mode: "stackable" },
  conditions: [],
  effects: [{ type: "line_discount_percent", params: { percentBp: 1000 } }],
};

const issuesOf = (over: Record<string, unknown>) => validateRuleDefinition({ ...base, ...over });

describe("rule issues in Russian", () => {
  it.each([
    [{ effects: [{ type: "line_discount_percent", params: { percentBp: 0 } }] }, "Не меньше 1"],
    [{ effects: [{ type: "line_discount_percent", params: {} }] }, "Обязательное поле"],
    [{ effects: [{ type: "line_discount_percent", params: { percentBp: 5, extra: 1 } }] }, "Лишнее поле"],
    [{ effects: [{ type: "teleport", params: {} }] }, "Неизвестный тип действия"],
    [
      { stacking: { mode: "stackable", group: "g" } },
      "Группа и область конкуренции — только для конкурирующих правил",
    ],
    [{ stacking: { mode: "exclusive" } }, "Для конкурирующего правила укажите группу"],
    [{ validFrom: "2026-12-02T00:00:00Z", validTo: "2026-12-01T00:00:00Z" }, "Позже начала действия"],
    [
      { conditions: [{ type: "time_of_day", params: { from: "10:00", to: "10:00" } }] },
      "Начало и конец совпадают",
    ],
    [{ conditions: [{ type: "any", conditions: [] }] }, "Добавьте хотя бы одно условие"],
    [
      { effects: [{ type: "cashier_message", params: { template: "Скидка {oops}" } }] },
      "Неизвестная подстановка {oops}",
    ],
    [{ name: "" }, "Заполните поле"],
  ])("%j → %s", (over, expected) => {
    const issues = issuesOf(over);
    expect(issues.length, JSON.stringify(issues)).toBeGreaterThan(0);
    expect(issues.map(issueTextRu)).toContain(expected);
  });

  it("keeps the English of an issue it does not know", () => {
    expect(issueTextRu({ code: "novel", message: "something new" })).toBe("something new");
  });
});
