import {
  BonusPaymentBody,
  CalculateBody,
  CancelViewSchema,
  ConfirmBody,
  ConfirmViewSchema,
  errorResponses,
  HangingViewSchema,
  PurchaseDetailSchema,
  PurchaseParams,
  PurchaseViewSchema,
  RefundBody,
  RefundViewSchema,
} from "@kopilka/contract";
import type { FastifyReply } from "fastify";
import type { Answer } from "../../modules/purchases/index.js";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

const tags = ["purchases"];

/** A replay says so in a header; its body is the first answer, with the purchase's current state beside it. */
function answered<T>(reply: FastifyReply, { answer, replayed }: Answer<T>) {
  if (replayed) reply.header("Idempotent-Replayed", "true");
  return answer;
}

const replayHeader = {
  "Idempotent-Replayed": {
    type: "string",
    enum: ["true"],
    description: "Present on a replay: the body is the first answer; `current` tells the state now",
  },
};

export function purchaseRoutes(app: Api, { purchases }: PosServices): void {
  app.post(
    "/v1/purchases/calculate",
    {
      schema: {
        tags,
        summary:
          "Price a receipt: discounts, points to accrue, points payment limit (repeatable while the receipt changes)",
        body: CalculateBody,
        response: { 200: PurchaseViewSchema, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => purchases.calculate(principalOf(request), request.body),
  );

  app.post(
    "/v1/purchases/:purchaseId/bonus-payment",
    {
      schema: {
        tags,
        summary:
          "Pay part of a calculated receipt with points; the points are held until confirm, cancel or expiry. The program's anti-fraud caps on the card may refuse it (422 POINTS_SPENDING_CAP_EXCEEDED)",
        params: PurchaseParams,
        body: BonusPaymentBody,
        response: { 200: PurchaseViewSchema, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      purchases.bonusPayment(principalOf(request), request.params.purchaseId, request.body.amount),
  );

  app.post(
    "/v1/purchases/:purchaseId/confirm",
    {
      schema: {
        tags,
        summary:
          "Confirm after the fiscal receipt: spend held points, book the accrual (idempotent). With the receipt as printed, a late confirm (expired or lost purchase) is accepted when it matches (late: true) or kept hanging for an operator (202)",
        params: PurchaseParams,
        body: ConfirmBody,
        response: {
          200: { ...ConfirmViewSchema, headers: replayHeader },
          202: HangingViewSchema,
          ...errorResponses(401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const result = await purchases.confirm(
        principalOf(request),
        request.params.purchaseId,
        request.body ?? {},
      );
      if (result.answer.state === "hanging") reply.status(202);
      return answered(reply, result);
    },
  );

  app.post(
    "/v1/purchases/:purchaseId/cancel",
    {
      schema: {
        tags,
        summary:
          "Cancel: before confirm releases holds; after confirm, within the cancel window, reverses it all (counted, like a refund, against the program's daily cap per POS credential: 422 REFUND_CAP_EXCEEDED)",
        params: PurchaseParams,
        response: {
          200: { ...CancelViewSchema, headers: replayHeader },
          ...errorResponses(401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) =>
      answered(reply, await purchases.cancel(principalOf(request), request.params.purchaseId)),
  );

  app.post(
    "/v1/purchases/:purchaseId/refunds",
    {
      schema: {
        tags,
        summary:
          "Refund the whole receipt or chosen lines; idempotent by refundId. The program's daily refund cap per POS credential may refuse it (422 REFUND_CAP_EXCEEDED)",
        params: PurchaseParams,
        body: RefundBody,
        response: {
          200: { ...RefundViewSchema, headers: replayHeader },
          ...errorResponses(401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) =>
      answered(reply, await purchases.refund(principalOf(request), request.params.purchaseId, request.body)),
  );

  app.get(
    "/v1/purchases/:purchaseId",
    {
      schema: {
        tags,
        summary: "A purchase with its state and history",
        params: PurchaseParams,
        response: { 200: PurchaseDetailSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => purchases.get(principalOf(request), request.params.purchaseId),
  );
}
