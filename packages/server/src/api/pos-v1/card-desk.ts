import {
  CardList,
  CardNumber,
  CardSummaryView,
  CardsQuery,
  errorResponses,
  ReplaceCardBody,
  ReplacementView,
} from "@kopilka/contract";
import { Type } from "typebox";
import { cardSummary } from "../../modules/clients/index.js";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

const tags = ["cards"];
const params = Type.Object({ number: CardNumber });

const STATUS_OF = { block: "blocked", unblock: "active", "accrual-only": "accrual_only" } as const;

export function cardDeskRoutes(app: Api, { cardDesk }: PosServices): void {
  app.get(
    "/v1/cards",
    {
      schema: {
        tags,
        summary: "Find cards by number or barcode; each carries its holder's clientId",
        querystring: CardsQuery,
        response: { 200: CardList, ...errorResponses(401) },
      },
    },
    async (request) => ({
      cards: (await cardDesk.find(principalOf(request), request.query.number)).map(cardSummary),
    }),
  );

  for (const [action, status] of Object.entries(STATUS_OF)) {
    app.post(
      `/v1/cards/:number/${action}`,
      {
        schema: {
          tags,
          summary: `Set the card ${status.replace("_", "-")} (repeatable)`,
          params,
          response: { 200: CardSummaryView, ...errorResponses(401, 404) },
        },
      },
      async (request) =>
        cardSummary(await cardDesk.setStatus(principalOf(request).partnerId, request.params.number, status)),
    );
  }

  app.post(
    "/v1/cards/:number/replace",
    {
      schema: {
        tags,
        summary:
          "Replace a lost card: balance, level and holder move to the new card (a free one, or a new virtual one); the old card is blocked",
        params,
        body: Type.Optional(ReplaceCardBody),
        response: { 200: ReplacementView, ...errorResponses(401, 404, 409, 422) },
      },
    },
    async (request) =>
      cardDesk.replace(
        principalOf(request).partnerId,
        request.params.number,
        request.body?.newNumber ?? null,
      ),
  );
}
