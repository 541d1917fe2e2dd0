import { describe, expect, it } from "vitest";
import { kopecks, thousandths } from "../src/amounts.js";
import { configFromIni, DEFAULT_CONFIG, parseIni } from "../src/ini.js";

describe("loyalty.ini", () => {
  it("reads Artix's [LoyaltySystem] allowMessagesToCashier, commented out by default", () => {
    expect(configFromIni("[LoyaltySystem]\n;allowMessagesToCashier = true\n").allowMessagesToCashier).toBe(
      true,
    );
    expect(
      configFromIni("[LoyaltySystem]\nallowMessagesToCashier = false ; hide\n").allowMessagesToCashier,
    ).toBe(false);
    expect(() => configFromIni("[LoyaltySystem]\nallowMessagesToCashier = maybe\n")).toThrow(/true or false/);
  });

  it("reads the connection and card groups", () => {
    const c = configFromIni(
      [
        "[Kopilka]",
        "url = http://10.0.0.5:8080",
        'secret = "se;cret"',
        "order = confirm-then-print",
        "[CardGroup staff]",
        "program = staff",
        "prefixes = 777, 778",
        "ranges = 100-199",
      ].join("\n"),
    );
    expect(c.url).toBe("http://10.0.0.5:8080");
    expect(c.secret).toBe("se;cret");
    expect(c.order).toBe("confirm-then-print");
    expect(c.login).toBe(DEFAULT_CONFIG.login);
    expect(c.cardGroups).toEqual([
      {
        name: "staff",
        loyaltySystem: "kopilka",
        programCode: "staff",
        prefixes: ["777", "778"],
        ranges: [{ from: "100", to: "199" }],
      },
    ]);
    expect(() => configFromIni("[Kopilka]\norder = sideways")).toThrow(/order/);
    expect(() => parseIni("[A]\nno equals sign")).toThrow(/line 2/);
  });

  it("amounts typed by the cashier become integers without floating point", () => {
    expect(kopecks("450")).toBe(45000);
    expect(kopecks("99,9")).toBe(9990);
    expect(kopecks("0.07")).toBe(7);
    expect(thousandths("1.5")).toBe(1500);
    expect(thousandths(2)).toBe(2000);
    expect(() => kopecks("1.234")).toThrow();
    expect(() => thousandths("-1")).toThrow();
  });
});
