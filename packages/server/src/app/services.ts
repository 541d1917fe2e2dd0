/**
 * The application layer, built once per process: every protocol-neutral service the API surfaces and
 * the CLI call. Surfaces receive what they need from here and never touch the database themselves.
 */

import { AdminService, OperatorDesk, ProgramAdminService } from "../modules/admin/index.js";
import { AntiFraudService, type CapHitListener } from "../modules/anti-fraud/index.js";
import { AuthService, resolveTokenKey } from "../modules/auth/index.js";
import { CardService } from "../modules/cards/index.js";
import { CatalogService, ProductDirectory } from "../modules/catalog/index.js";
import { DiscountProgramService } from "../modules/discount-programs/index.js";
import { LevelService } from "../modules/levels/index.js";
import { PharmApiAdmin, PharmApiAuthenticator, PharmApiService } from "../modules/pharmapi/index.js";
import { ProgramCatalog } from "../modules/programs/index.js";
import { PromoCodeService } from "../modules/promo-codes/index.js";
import { type PurchaseEventListener, PurchaseService } from "../modules/purchases/index.js";
import { ReportService } from "../modules/reports/index.js";
import { SelloutService } from "../modules/sellout/index.js";
import { StatsService } from "../modules/stats/index.js";
import { StockService } from "../modules/stock/index.js";
import { PharmacyService, StoreDirectory } from "../modules/stores/index.js";
import { type LoginLimits, Throttle } from "../modules/throttle/index.js";
import { SessionService } from "../modules/users/index.js";
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
  sessions: SessionService;
  admin: AdminService;
  /** The cabinet's operator desk: clients, cards, point adjustments, registration settings, purchases. */
  desk: OperatorDesk;
  promoCodes: PromoCodeService;
  levels: LevelService;
  programAdmin: ProgramAdminService;
  /** The chain's pharmacy list (stores with their POS ids), stock and sell-out uploads. */
  pharmacies: PharmacyService;
  stock: StockService;
  sellout: SelloutService;
  /** Stock, sell-out and reconciliation reports (read only). */
  reports: ReportService;
  /** The dashboard, read from the hourly roll-up (modules/stats). */
  stats: StatsService;
  discountPrograms: DiscountProgramService;
  pharmApi: PharmApiService;
  pharmApiAuth: PharmApiAuthenticator;
  pharmApiAdmin: PharmApiAdmin;
  /** The cards and POS credentials that hit anti-fraud caps. */
  antiFraud: AntiFraudService;
}

export async function buildServices(
  ctx: AppContext,
  onPurchaseEvent: PurchaseEventListener,
  onCapHit?: CapHitListener,
): Promise<Services> {
  const { config, database, clock } = ctx;
  const key = await resolveTokenKey(database, config.tokenSecret);
  const programs = new ProgramCatalog(database, clock);
  const stores = new StoreDirectory(database);
  const throttle = new Throttle(database, clock);
  const window = config.loginFailureWindowSeconds * 1000;
  const lock = config.loginLockSeconds * 1000;
  const limits: LoginLimits = {
    perName: { maxFailures: config.loginMaxFailures, windowMs: window, lockMs: lock },
    perAddress: { maxFailures: config.loginAddressMaxFailures, windowMs: window, lockMs: lock },
  };
  const products = new ProductDirectory(database, config.productCacheSize);
  const purchases = new PurchaseService(
    { database, programs, stores, products, clock, ...(onCapHit ? { onCapHit } : {}) },
    onPurchaseEvent,
    (what, count, err) => ctx.logger.error({ err, count }, what),
  );
  const clientServices = buildClientServices(ctx, programs);
  const discountPrograms = new DiscountProgramService(database, clock, programs);
  const pharmApiAuth = new PharmApiAuthenticator(database, clock, throttle, limits, config.authCacheTtlMs);
  return {
    clock,
    auth: new AuthService(
      database,
      key,
      clock,
      config.tokenTtlSeconds,
      config.authCacheTtlMs,
      throttle,
      limits,
    ),
    cards: new CardService(database),
    catalog: new CatalogService(database, products),
    programs,
    stores,
    purchases,
    ...clientServices,
    sessions: new SessionService(database, clock, throttle, {
      idleSeconds: config.adminSessionIdleSeconds,
      maxSeconds: config.adminSessionMaxSeconds,
      limits,
    }),
    admin: new AdminService(database, clock),
    desk: new OperatorDesk(database, clock, clientServices.clients, purchases),
    promoCodes: new PromoCodeService(database, clock),
    levels: new LevelService(database, clock),
    programAdmin: new ProgramAdminService(database, clock, programs, stores),
    pharmacies: new PharmacyService(database, clock),
    stock: new StockService(database, clock),
    sellout: new SelloutService(database, clock),
    reports: new ReportService(database),
    stats: new StatsService(database, clock),
    discountPrograms,
    pharmApi: new PharmApiService(
      database,
      clock,
      stores,
      purchases,
      discountPrograms,
      clientServices.clients,
    ),
    pharmApiAuth,
    pharmApiAdmin: new PharmApiAdmin(database, clock, pharmApiAuth),
    antiFraud: new AntiFraudService(database),
  };
}
