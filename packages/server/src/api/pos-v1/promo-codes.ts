import {
  CardNumber,
  errorResponses,
  LevelUpgradeAnswer,
  LevelUpgradeBody,
  PromoCodeCheckAnswer,
  PromoCodeCheckBody,
} from "@kopilka/contract";
import { Type } from "typebox";
import { promoCodeMessageRu } from "../../core/promo-codes.js";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

/** The till's promo code check (seed 004: the cashier chose a code) and the card level upgrade. */
export function promoCodeRoutes(app: Api, { promoCodes, purchases, levels }: PosServices): void {
  app.post(
    "/v1/promo-codes/check",
    {
      schema: {
        tags: ["promo codes"],
        summary:
          "May this card use this promo code now? Valid or not, why, and a message for the cashier; with a receipt, also whether the rules give it anything",
        body: PromoCodeCheckBody,
        response: { 200: PromoCodeCheckAnswer, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { code, cardNumber, receipt } = request.body;
      const { programId: _programId, ...answer } = await promoCodes.check(principal.partnerId, {
        code,
        ...(cardNumber !== undefined ? { cardNumber } : {}),
      });
      if (answer.valid && receipt) {
        const input = { ...receipt, ...(cardNumber !== undefined ? { cardNumber } : {}) };
        if (!(await purchases.promoCodeApplies(principal, input, code))) {
          return {
            ...answer,
            valid: false,
            reason: "NOT_APPLICABLE",
            message: promoCodeMessageRu(answer.code, "NOT_APPLICABLE"),
          };
        }
      }
      return answer;
    },
  );

  app.post(
    "/v1/cards/:number/level-upgrade",
    {
      schema: {
        tags: ["cards"],
        summary:
          "The level the card's purchases reach; with apply: true the card moves up to it now (check first and confirm, or upgrade unconditionally)",
        params: Type.Object({ number: CardNumber }),
        body: Type.Optional(LevelUpgradeBody),
        response: { 200: LevelUpgradeAnswer, ...errorResponses(401, 404, 422) },
      },
    },
    async (request) =>
      levels.upgrade(principalOf(request).partnerId, request.params.number, request.body?.apply === true),
  );
}
