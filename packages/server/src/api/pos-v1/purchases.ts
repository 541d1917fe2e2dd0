import {
  BonusPaymentBody,
  CalculateBody,
  CancelViewSchema,
  ConfirmBody,
  ConfirmViewSchema,
  errorResponses,
  PurchaseDetailSchema,
  PurchaseParams,
  PurchaseViewSchema,
  RefundBody,
  RefundViewSchema,
} from "@kopilka/contract";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

const tags = ["purchases"];

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
          "Pay part of a calculated receipt with points; the points are held until confirm, cancel or expiry",
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
        summary: "Confirm after the fiscal receipt: spend held points, book the accrual (idempotent)",
        params: PurchaseParams,
        body: ConfirmBody,
        response: { 200: ConfirmViewSchema, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => purchases.confirm(principalOf(request), request.params.purchaseId, request.body ?? {}),
  );

  app.post(
    "/v1/purchases/:purchaseId/cancel",
    {
      schema: {
        tags,
        summary:
          "Cancel: before confirm releases holds; after confirm, within the cancel window, reverses it all",
        params: PurchaseParams,
        response: { 200: CancelViewSchema, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => purchases.cancel(principalOf(request), request.params.purchaseId),
  );

  app.post(
    "/v1/purchases/:purchaseId/refunds",
    {
      schema: {
        tags,
        summary: "Refund the whole receipt or chosen lines; idempotent by refundId",
        params: PurchaseParams,
        body: RefundBody,
        response: { 200: RefundViewSchema, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => purchases.refund(principalOf(request), request.params.purchaseId, request.body),
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
