/**
 * GET /admin/v1/partners/:p/products: the partner's catalogue for the cabinet. Who may read it (every
 * role of the partner, the platform administrator; not another partner's owner), the prefix search by
 * SKU, barcode and name, keyset pages that neither repeat nor skip, and bad input answered 400 with the
 * field. A read changes nothing, so it leaves no audit entry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertProducts } from "../../src/modules/catalog/index.js";
import {
  type AdminWorld,
  adminCall,
  bearerFor,
  PERSONAS,
  type Persona,
  seedAdminWorld,
} from "../support/admin.js";
import { startTestApp, type TestApp } from "../support/harness.js";

interface ListedProduct {
  sku: string;
  barcode: string | null;
  name: string;
  minPrice: number;
  excludedFromAccrual: boolean;
  updatedAt: string;
}

let t: TestApp;
let w: AdminWorld;
const tokens = {} as Record<Persona, string>;

beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  for (const persona of PERSONAS) tokens[persona] = await bearerFor(t, w.users[persona]);
  // Beside the harness's P1…P5: 30 vitamins (a few pages of 7) and names with LIKE's wildcards in them.
  await upsertProducts(
    t.database,
    w.alpha.partnerId,
    [
      ...Array.from({ length: 30 }, (_, i) => ({
        sku: `VIT-${String(i + 1).padStart(3, "0")}`,
        barcode: `46070000${String(i + 1).padStart(5, "0")}`,
        name: `Витамин D3 ${i + 1}`,
        minPrice: 10_000 + i,
      })),
      { sku: "PCT-1", name: "100% natural_juice", excludedFromAccrual: true },
      { sku: "PCT-2", name: "100 natural juice" },
      { sku: "CAPS-1", name: "АСПИРИН КАРДИО 100 МГ" },
    ],
    t.clock.now(),
  );
  await upsertProducts(
    t.database,
    w.beta.partnerId,
    [{ sku: "BETA-ONLY", name: "Витамин беты" }],
    t.clock.now(),
  );
});
afterAll(async () => t?.close());

const list = (query: string, persona: Persona = "owner", partner = "alpha") =>
  adminCall(t, "GET", `/partners/${partner}/products${query}`, { token: tokens[persona] });

describe("who may list products", () => {
  it.each([
    ["admin", 200],
    ["owner", 200],
    ["marketer", 200],
    ["operator", 200],
    ["analyst", 200],
    ["outsider", 403],
  ] as const)("%s → %i", async (persona, status) => {
    const res = await list("?limit=5", persona);
    expect(res.statusCode, res.body).toBe(status);
    if (status === 403) expect(res.json()).toMatchObject({ code: "PERMISSION_DENIED" });
    else expect((res.json().items as ListedProduct[]).length).toBe(5);
  });

  it("answers 401 without a session and 404 for an unknown partner", async () => {
    expect((await adminCall(t, "GET", "/partners/alpha/products")).statusCode).toBe(401);
    const res = await list("", "admin", "nowhere");
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: "PARTNER_NOT_FOUND" });
  });

  it("lists only the partner's own products", async () => {
    const res = await list("?q=BETA");
    expect(res.json().items).toEqual([]);
    const beta = await list("?q=BETA", "outsider", "beta");
    expect((beta.json().items as ListedProduct[]).map((p) => p.sku)).toEqual(["BETA-ONLY"]);
  });
});

describe("search and pages", () => {
  it("finds by SKU, barcode and name prefix, case-insensitively", async () => {
    const bySku = await list("?q=vit-01&sort=sku");
    expect((bySku.json().items as ListedProduct[]).map((p) => p.sku)).toEqual([
      "VIT-010",
      "VIT-011",
      "VIT-012",
      "VIT-013",
      "VIT-014",
      "VIT-015",
      "VIT-016",
      "VIT-017",
      "VIT-018",
      "VIT-019",
    ]);
    const byBarcode = await list("?q=4607000000007");
    expect(byBarcode.json().items).toEqual([
      expect.objectContaining({
        sku: "VIT-007",
        barcode: "4607000000007",
        name: "Витамин D3 7",
        minPrice: 10_006,
      }),
    ]);
    const byName = await list("?q=%D0%B2%D0%B8%D1%82%D0%B0%D0%BC%D0%B8%D0%BD%20d3%2012"); // "витамин d3 12"
    expect((byName.json().items as ListedProduct[]).map((p) => p.sku)).toEqual(["VIT-012"]);
    const lowerCyrillic = await list(`?q=${encodeURIComponent("витамин")}&limit=50`);
    expect(
      (lowerCyrillic.json().items as ListedProduct[]).filter((p) => p.sku.startsWith("VIT-")),
    ).toHaveLength(30);
    // Names kept in capitals, as accounting systems often send them, are found as typed in lower case.
    const capitals = await list(`?q=${encodeURIComponent("аспирин кар")}`);
    expect((capitals.json().items as ListedProduct[]).map((p) => p.sku)).toEqual(["CAPS-1"]);
    // A prefix, not a substring: "D3" is inside every vitamin's name but starts none.
    expect((await list("?q=D3")).json().items).toEqual([]);
  });

  it("takes % and _ in the search literally", async () => {
    const res = await list(`?q=${encodeURIComponent("100%")}`);
    const items = res.json().items as ListedProduct[];
    expect(items.map((p) => p.sku)).toEqual(["PCT-1"]);
    expect(items[0]).toMatchObject({ excludedFromAccrual: true, barcode: null });
    expect(Date.parse(items[0]!.updatedAt)).toBe(t.clock.now());
  });

  it("pages by keyset without repeating or skipping, in either direction", async () => {
    for (const sort of ["sku", "-name"]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await list(`?q=VIT-&limit=7&sort=${sort}${cursor ? `&cursor=${cursor}` : ""}`);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json() as { items: ListedProduct[]; nextCursor: string | null };
        seen.push(...page.items.map((p) => p.sku));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(30);
      expect(new Set(seen).size).toBe(30);
    }
    const ascending = await list("?q=VIT-&limit=30&sort=sku");
    const skus = (ascending.json().items as ListedProduct[]).map((p) => p.sku);
    expect(skus).toEqual([...skus].sort());
  });
});

describe("bad input", () => {
  it.each([
    ["?limit=0", "limit"],
    ["?limit=abc", "limit"],
    ["?limit=201", "limit"],
    ["?sort=price", "sort"],
    ["?cursor=not-a-cursor!", "cursor"],
    ["?cursor=bm90LWEtY3Vyc29y", "cursor"],
    [`?q=${"x".repeat(101)}`, "q"],
    ["?q=%00", "q"],
    ["?colour=red", "colour"],
  ])("%s → 400 naming %s", async (query, field) => {
    const res = await list(query);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: "VALIDATION_FAILED", details: { field } });
  });

  it("refuses a cursor made for another sort", async () => {
    const first = await list("?q=VIT&limit=3&sort=sku");
    const cursor = first.json().nextCursor as string;
    const res = await list(`?q=VIT&limit=3&sort=name&cursor=${cursor}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "VALIDATION_FAILED", details: { field: "cursor" } });
  });

  it("writes no audit entry for a read", async () => {
    const before = await t.database.db.selectFrom("audit_log").select("id").execute();
    await list("?q=VIT");
    const after = await t.database.db.selectFrom("audit_log").select("id").execute();
    expect(after.length).toBe(before.length);
  });
});

describe("import", () => {
  const importChunk = (items: unknown, persona: Persona = "owner", partner = "alpha") =>
    adminCall(t, "POST", `/partners/${partner}/products/import`, {
      token: tokens[persona],
      payload: { items },
    });
  const auditOf = () =>
    t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity_type", "=", "products")
      .orderBy("id", "desc")
      .execute();

  it.each([
    ["admin", 200],
    ["owner", 200],
    ["marketer", 200],
    ["operator", 403],
    ["analyst", 403],
    ["outsider", 403],
  ] as const)("%s → %i", async (persona, status) => {
    const res = await importChunk([{ sku: `ROLE-${persona}`, name: `Role ${persona}` }], persona);
    expect(res.statusCode, res.body).toBe(status);
    if (status === 403) expect(res.json()).toMatchObject({ code: "PERMISSION_DENIED" });
    const found = (await list(`?q=ROLE-${persona}`)).json().items as ListedProduct[];
    expect(found).toHaveLength(status === 200 ? 1 : 0);
  });

  it("adds new SKUs and replaces known ones, with one audit entry naming them", async () => {
    const res = await importChunk([
      { sku: "VIT-001", barcode: "4607000000001", name: "Витамин D3 1 (новая упаковка)", minPrice: 12_345 },
      { sku: "IMP-1", barcode: "4607100000001", name: "Импортированный", category: "herbs", brand: "Алтай" },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ created: 1, updated: 1 });
    const replaced = (await list("?q=VIT-001")).json().items as ListedProduct[];
    expect(replaced[0]).toMatchObject({ name: "Витамин D3 1 (новая упаковка)", minPrice: 12_345 });
    const [entry] = await auditOf();
    expect(entry).toMatchObject({
      user_id: w.users.owner.id,
      partner_id: w.alpha.partnerId,
      entity_id: "VIT-001…IMP-1",
      action: "import",
    });
    expect(JSON.parse(entry!.after!)).toEqual({ created: 1, updated: 1, skus: ["VIT-001", "IMP-1"] });
  });

  it.each([
    [[], "items"],
    [[{ sku: "", name: "No SKU" }], "items[0].sku"],
    [[{ sku: "OK-1" }], "items[0].name"],
    [[{ sku: "OK-1", name: "N", minPrice: -1 }], "items[0].minPrice"],
    [[{ sku: "OK-1", name: "N", colour: "red" }], "items[0].colour"],
    [
      [
        { sku: "DUP", name: "A" },
        { sku: "DUP", name: "B" },
      ],
      "items[1].sku",
    ],
    [Array.from({ length: 1001 }, (_, i) => ({ sku: `MANY-${i}`, name: "N" })), "items"],
  ])("refuses %# naming %s, writing nothing", async (items, field) => {
    const entries = (await auditOf()).length;
    const res = await importChunk(items);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().details).toMatchObject({ field });
    expect((await auditOf()).length).toBe(entries);
    expect((await list("?q=OK-1")).json().items).toEqual([]);
    expect((await list("?q=DUP")).json().items).toEqual([]);
  });
});
