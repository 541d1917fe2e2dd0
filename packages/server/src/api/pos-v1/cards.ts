import { CardBatch, CardNumber, CardView, errorResponses, LedgerQuery, LedgerView } from "@kopilka/contract";
import { Type } from "typebox";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

const tags = ["cards"];

export function cardRoutes(app: Api, { cards, clock, promoCodes }: PosServices): void {
  app.get(
    "/v1/cards/:number",
    {
      schema: {
        tags,
        summary:
          "Find a card by its number or barcode: status, level, balance, points expiring within 30 days, personal promo codes",
        params: Type.Object({ number: CardNumber }),
        response: { 200: CardView, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const { id, ...view } = await cards.view(principalOf(request), request.params.number, clock.now());
      return { ...view, promoCodes: await promoCodes.personalCodes(id) };
    },
  );

  app.get(
    "/v1/cards/:number/ledger",
    {
      schema: {
        tags,
        summary: "The card's points ledger, newest first",
        params: Type.Object({ number: CardNumber }),
        querystring: LedgerQuery,
        response: { 200: LedgerView, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const limit = Math.min(500, Math.max(1, Number(request.query.limit ?? 50)));
      return { entries: await cards.ledger(principalOf(request), request.params.number, limit) };
    },
  );

  app.put(
    "/v1/cards",
    {
      schema: {
        tags,
        summary: "Upload a batch of cards (create new, update status and level of known ones)",
        body: CardBatch,
        response: {
          200: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request) =>
      cards.upload(principalOf(request), request.body.programCode, request.body.items, clock.now()),
  );
}
