import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveOperationId } from "../../src/api/http/openapi.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { type OpenApiDocument, openApiDocument, operations, type Schema } from "../support/openapi.js";

let t: TestApp;
let doc: OpenApiDocument;

beforeAll(async () => {
  t = await startTestApp();
  doc = await openApiDocument(t);
});
afterAll(async () => t?.close());

/** Every object in the tree, with its JSON path. */
function* objects(node: unknown, path = "#"): Generator<[string, Schema]> {
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) yield* objects(n, `${path}/${i}`);
  } else if (node && typeof node === "object") {
    yield [path, node as Schema];
    for (const [k, v] of Object.entries(node)) yield* objects(v, `${path}/${k}`);
  }
}

describe("the OpenAPI document", () => {
  it("has a unique operationId on every operation, derived from method and path when a route sets none", () => {
    const ids = operations(doc).map((op) => op.operation.operationId as string);
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths["/v1/purchases/{purchaseId}/confirm"]!.post!.operationId).toBe(
      "postV1PurchasesByPurchaseIdConfirm",
    );
    expect(deriveOperationId("GET", "/admin/v1/users/:userId/roles")).toBe("getAdminV1UsersByUserIdRoles");
  });

  it("names the recurring schemas and refers to them; no error schema is inlined", () => {
    const names = Object.keys(doc.components.schemas);
    for (const name of ["Error", "Balance", "Purchase", "Receipt", "ConfirmedPurchase", "Card", "Product"]) {
      expect(names, name).toContain(name);
    }
    const errorShapes = [...objects(doc)].filter(
      ([, o]) =>
        o.type === "object" &&
        o.properties &&
        "code" in (o.properties as Schema) &&
        "details" in (o.properties as Schema),
    );
    expect(errorShapes.map(([path]) => path)).toEqual(["#/components/schemas/Error"]);
    const text = JSON.stringify(doc);
    expect(text.split('"#/components/schemas/Error"').length - 1).toBeGreaterThan(50);
    expect(text.split('"#/components/schemas/Balance"').length - 1).toBeGreaterThan(1);
    // Every reference resolves.
    for (const [, o] of objects(doc)) {
      if (typeof o.$ref === "string") expect(names).toContain(o.$ref.split("/").pop());
    }
  });

  it("declares every status an operation can answer", () => {
    for (const op of operations(doc)) {
      const statuses = Object.keys(op.operation.responses as Schema);
      const label = `${op.method} ${op.path}`;
      expect(statuses, label).toEqual(expect.arrayContaining(["500", "503"]));
      if (op.authenticated) expect(statuses, label).toContain("401");
      if (["POST", "PUT", "PATCH"].includes(op.method)) {
        expect(statuses, label).toEqual(expect.arrayContaining(["400", "413", "415"]));
      }
      for (const status of statuses) {
        const response = (op.operation.responses as Record<string, Schema>)[status]!;
        expect(response.description, `${label} ${status}`).not.toBe("Default Response");
      }
    }
  });

  it("names its servers and its license", () => {
    expect(doc.servers).toEqual([{ url: "/", description: "This server" }]);
    expect((doc.info as Schema).license).toMatchObject({ name: "Apache-2.0", identifier: "Apache-2.0" });
  });
});
