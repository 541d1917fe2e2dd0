/**
 * Assembles the HTTP server: plugins (OpenAPI, metrics, errors), the application layer, and every API
 * surface. Nothing listens here; the CLI's `serve` and the tests decide what to do with the instance.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import { type AdminRouteInfo, registerAdminV1 } from "../api/admin-v1/index.js";
import { registerCabinet } from "../api/cabinet/static.js";
import { clientErrorHandler, installErrorHandling } from "../api/http/error-handler.js";
import { allowControlCharactersKeyword, installInputGuards } from "../api/http/input-guard.js";
import { openApiOptions } from "../api/http/openapi.js";
import type { Api } from "../api/http/types.js";
import { healthRoutes } from "../api/ops/health.js";
import { installMetrics, type Metrics } from "../api/ops/metrics.js";
import { registerPharmApi } from "../api/pharmapi/index.js";
import { registerPosV1 } from "../api/pos-v1/index.js";
import { openPurchaseCounts } from "../modules/purchases/index.js";
import type { AppContext } from "./context.js";
import { installOverloadGuard, type OverloadGuard } from "./overload.js";
import { installRequestLogging, requestIdOf } from "./request-logging.js";
import { buildServices, type Services } from "./services.js";

export interface Server {
  app: Api;
  metrics: Metrics;
  services: Services;
  /** Every admin route and the permission it declares. */
  adminRoutes: readonly AdminRouteInfo[];
  /** Load shedding (overload.ts). */
  overload: OverloadGuard;
}

export async function buildServer(ctx: AppContext, isClosing: () => boolean = () => false): Promise<Server> {
  const { config, database, clock } = ctx;
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // genReqId reads X-Request-Id itself and keeps it only when it is sane.
    requestIdHeader: false,
    genReqId: requestIdOf,
    return503OnClosing: true,
    clientErrorHandler,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
      // The contract's annotation of fields that may carry some control characters (see input-guard.ts).
      plugins: [allowControlCharactersKeyword],
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installRequestLogging(app);

  // While draining for shutdown, no connection is kept alive for a next request that would be refused.
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (isClosing()) reply.header("connection", "close");
    done(null, payload);
  });

  installErrorHandling(app);
  // Before any route: every route's input strings refuse control characters (NUL and the like).
  installInputGuards(app);
  // The API speaks JSON only; a text body is refused with 415 instead of failing validation later.
  app.removeContentTypeParser("text/plain");
  await app.register(swagger, openApiOptions());
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const metrics = installMetrics(app, () => openPurchaseCounts(database, clock.now()));
  const services = await buildServices(
    ctx,
    (kind) => metrics.purchaseEvents.inc({ kind }),
    (cap) => metrics.capHits.inc({ cap }),
  );
  // Calculations answered but not yet written reach the database before it closes (serve closes it next).
  app.addHook("onClose", () => services.purchases.settled());

  const overload = installOverloadGuard(app, {
    maxLoopDelayMs: config.overloadMaxLoopDelayMs,
    maxInFlight: config.overloadMaxInFlight,
    maxQueueMs: config.overloadMaxQueueMs,
  });
  metrics.readAdmission(overload);
  healthRoutes(app, database, isClosing, overload);
  await registerPosV1(app, services);
  await registerPharmApi(app, services, config.bodyLimitBytes);
  const adminRoutes = await registerAdminV1(app, { ...services, cookieSecure: config.adminCookieSecure });
  // Last: its catch-all GET answers only what no API route claims.
  await registerCabinet(app, app.log);

  return { app, metrics, services, adminRoutes, overload };
}
