/**
 * The application layer, built once per process: every protocol-neutral service the API surfaces and
 * the CLI call. Surfaces receive what they need from here and never touch the database themselves.
 */
import { AuthService, resolveTokenKey } from "../modules/auth/index.js";
import { CardService } from "../modules/cards/index.js";
import { CatalogService } from "../modules/catalog/index.js";
import { ProgramCatalog } from "../modules/programs/index.js";
import { type PurchaseEventListener, PurchaseService } from "../modules/purchases/index.js";
import { StoreDirectory } from "../modules/stores/index.js";
import { buildClientServices, type ClientServices } from "./client-services.js";
import type { AppContext } from "./context.js";

export interface Services extends ClientServices {
  clock: AppContext["clock"];
  auth: AuthService;
  cards: CardService;
  catalog: CatalogService;
  programs: ProgramCatalog;
  stores: StoreDirectory;
  purchases: PurchaseService;
}

export async function buildServices(
  ctx: AppContext,
  onPurchaseEvent: PurchaseEventListener,
): Promise<Services> {
  const { config, database, clock } = ctx;
  const key = await resolveTokenKey(database, config.tokenSecret);
  const programs = new ProgramCatalog(database, clock);
  const stores = new StoreDirectory(database, clock);
  return {
    clock,
    auth: new AuthService(database, key, clock, config.tokenTtlSeconds, config.authCacheTtlMs),
    cards: new CardService(database),
    catalog: new CatalogService(database),
    programs,
    stores,
    purchases: new PurchaseService(database, programs, stores, clock, onPurchaseEvent),
    ...buildClientServices(ctx, programs),
  };
}
