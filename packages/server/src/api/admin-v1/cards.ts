import {
  AdminCardDetail,
  AdminCardView,
  CardBatchView,
  CardDetailQuery,
  CardGenerateBody,
  CardListQuery,
  CardParams,
  CardPurchasesQuery,
  CardReplaceBody,
  CardReplacementView,
  errorResponses,
  LedgerEntryView,
  LedgerListQuery,
  ListedPurchaseView,
  PageOf,
  PartnerCodeParams,
  PointAdjustmentBody,
  PointAdjustmentView,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import { flag, pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: cards"];

export function cardRoutes(app: Api, { desk }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/cards",
    {
      config: { permission: "cards.read" },
      schema: {
        tags,
        operationId: "adminListCards",
        summary: "List cards: by number, status, program, holder (id, or exact phone or e-mail)",
        params: PartnerCodeParams,
        querystring: CardListQuery,
        response: { 200: PageOf(AdminCardView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      return desk.listCards(
        partnerOf(request),
        {
          ...(q.number !== undefined ? { number: q.number } : {}),
          ...(q.status !== undefined ? { status: q.status } : {}),
          ...(q.programCode !== undefined ? { programCode: q.programCode } : {}),
          ...(q.virtual !== undefined ? { virtual: flag(q.virtual) } : {}),
          ...(q.clientId !== undefined ? { clientId: Number(q.clientId) } : {}),
          ...(q.phone !== undefined ? { phone: q.phone } : {}),
          ...(q.email !== undefined ? { email: q.email } : {}),
        },
        pageQuery(q, "number"),
      );
    },
  );

  app.post(
    "/partners/:partnerCode/cards/generate",
    {
      config: { permission: "cards.write" },
      schema: {
        tags,
        operationId: "adminGenerateCards",
        summary: "Generate a batch of new cards in a range (prefix, length, check digit), all or nothing",
        params: PartnerCodeParams,
        body: CardGenerateBody,
        response: { 201: CardBatchView, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { prefix, length, checkDigit, ...rest } = request.body;
      reply.code(201);
      return desk.generateCards(adminOf(request).actor, partnerOf(request), {
        ...rest,
        range: { prefix, length, checkDigit },
      });
    },
  );

  app.get(
    "/partners/:partnerCode/cards/:number",
    {
      config: { permission: "cards.read" },
      schema: {
        tags,
        operationId: "adminGetCard",
        summary: "One card: balance (active, pending, held, available) and the points soon to expire",
        params: CardParams,
        querystring: CardDetailQuery,
        response: { 200: AdminCardDetail, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      desk.getCard(
        partnerOf(request),
        request.params.number,
        request.query.expiringWithinDays === undefined ? undefined : Number(request.query.expiringWithinDays),
      ),
  );

  app.get(
    "/partners/:partnerCode/cards/:number/ledger",
    {
      config: { permission: "cards.read" },
      schema: {
        tags,
        operationId: "adminCardLedger",
        summary: "The card's ledger entries, newest first by default",
        params: CardParams,
        querystring: LedgerListQuery,
        response: { 200: PageOf(LedgerEntryView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      desk.cardLedger(partnerOf(request), request.params.number, pageQuery(request.query, "-id")),
  );

  app.get(
    "/partners/:partnerCode/cards/:number/purchases",
    {
      config: { permission: "cards.read" },
      schema: {
        tags,
        operationId: "adminCardPurchases",
        summary: "Purchases made with the card, newest first by default",
        params: CardParams,
        querystring: CardPurchasesQuery,
        response: { 200: PageOf(ListedPurchaseView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      desk.cardPurchases(partnerOf(request), request.params.number, pageQuery(request.query, "-createdAt")),
  );

  for (const [action, status, summary] of [
    ["block", "blocked", "Block a card: it can neither pay nor earn"],
    ["unblock", "active", "Make a card active again"],
    ["accrual-only", "accrual_only", "Let a card earn points but not pay with them"],
  ] as const) {
    app.post(
      `/partners/:partnerCode/cards/:number/${action}`,
      {
        config: { permission: "cards.write" },
        schema: {
          tags,
          operationId: `adminCard${action === "block" ? "Block" : action === "unblock" ? "Unblock" : "AccrualOnly"}`,
          summary,
          params: CardParams,
          response: { 200: AdminCardView, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) =>
        desk.setCardStatus(adminOf(request).actor, partnerOf(request), request.params.number, status),
    );
  }

  app.post(
    "/partners/:partnerCode/cards/:number/replace",
    {
      config: { permission: "cards.write" },
      schema: {
        tags,
        operationId: "adminReplaceCard",
        summary:
          "Replace a lost card: balance (through the ledger), level and holder move to a free card or a new virtual one; the old card is blocked",
        params: CardParams,
        body: CardReplaceBody,
        response: { 200: CardReplacementView, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      desk.replaceCard(
        adminOf(request).actor,
        partnerOf(request),
        request.params.number,
        request.body.newNumber ?? null,
      ),
  );

  app.post(
    "/partners/:partnerCode/cards/:number/adjustments",
    {
      config: { permission: "points.adjust" },
      schema: {
        tags,
        operationId: "adminAdjustPoints",
        summary:
          "Credit or debit points by hand with a reason, through the ledger; idempotent by adjustmentId; a debit takes free points only",
        params: CardParams,
        body: PointAdjustmentBody,
        response: { 200: PointAdjustmentView, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      desk.adjustPoints(adminOf(request).actor, partnerOf(request), request.params.number, request.body),
  );
}
