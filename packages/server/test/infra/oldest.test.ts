import { describe, expect, it } from "vitest";
import { dropOldestTenth } from "../../src/kernel/index.js";

describe("dropOldestTenth", () => {
  it("drops the first-inserted tenth of a bounded cache and keeps the rest in order", () => {
    const cache = new Map<number, string>(Array.from({ length: 25 }, (_, i) => [i, `v${i}`]));
    cache.set(0, "refreshed"); // setting an existing key keeps its place
    dropOldestTenth(cache);
    expect([...cache.keys()]).toEqual(Array.from({ length: 23 }, (_, i) => i + 2));
  });

  it("drops at least one entry from a small cache", () => {
    const cache = new Map([
      ["a", 1],
      ["b", 2],
    ]);
    dropOldestTenth(cache);
    expect([...cache.keys()]).toEqual(["b"]);
  });
});
