/**
 * The native POS and accounting-system API, `/v1`. Token exchange is public; every other route sits in a
 * scope whose hook authenticates the bearer token, so no route can forget it.
 */
import type { Api } from "../http/types.js";
import { authRoutes } from "./auth.js";
import { cardDeskRoutes } from "./card-desk.js";
import { cardRoutes } from "./cards.js";
import { clientRoutes } from "./clients.js";
import { pharmacyDataRoutes } from "./pharmacy-data.js";
import { productRoutes } from "./products.js";
import { programRoutes } from "./programs.js";
import { promoCodeRoutes } from "./promo-codes.js";
import { purchaseRoutes } from "./purchases.js";
import { purchasesOfDayRoutes } from "./purchases-of-day.js";
import type { PosServices } from "./services.js";
import { settingsRoutes } from "./settings.js";

/** Every route module of this surface has this signature. */
export type PosRoutes = (app: Api, services: PosServices) => void;

const AUTHENTICATED: readonly PosRoutes[] = [
  programRoutes,
  productRoutes,
  cardRoutes,
  purchaseRoutes,
  settingsRoutes,
  clientRoutes,
  cardDeskRoutes,
  promoCodeRoutes,
  pharmacyDataRoutes,
  purchasesOfDayRoutes,
];

export async function registerPosV1(app: Api, services: PosServices): Promise<void> {
  authRoutes(app, services);
  await app.register(async (scope: Api) => {
    scope.addHook("onRequest", async (request) => {
      request.principal = await services.auth.authenticate(request.headers.authorization);
    });
    for (const routes of AUTHENTICATED) routes(scope, services);
  });
}
