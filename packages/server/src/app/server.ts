/**
 * Assembles the HTTP server: plugins (OpenAPI, metrics, errors), the application layer, and every API
 * surface. Nothing listens here; the CLI's `serve` and the tests decide what to do with the instance.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { errorCatalogueMarkdown } from "@kopilka/contract";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import { installErrorHandling } from "../api/http/error-handler.js";
import type { Api } from "../api/http/types.js";
import { healthRoutes } from "../api/ops/health.js";
import { installMetrics, type Metrics } from "../api/ops/metrics.js";
import { registerPosV1 } from "../api/pos-v1/index.js";
import { openPurchaseCounts } from "../modules/purchases/index.js";
import type { AppContext } from "./context.js";
import { installRequestLogging, requestIdOf } from "./request-logging.js";
import { buildServices, type Services } from "./services.js";

export interface Server {
  app: Api;
  metrics: Metrics;
  services: Services;
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
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installRequestLogging(app);

  // While draining for shutdown, no connection is kept alive for a next request that would be refused.
  app.addHook("onSend", async (_request, reply) => {
    if (isClosing()) reply.header("connection", "close");
  });

  installErrorHandling(app);
  // The API speaks JSON only; a text body is refused with 415 instead of failing validation later.
  app.removeContentTypeParser("text/plain");
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Kopilka processing API",
        version: "1.0.0",
        description: `Loyalty and discount processing for POS terminals and accounting systems.\n\nMoney is integer kopecks, points integer hundredths (1 point = 1 ruble), quantities integer thousandths.\n\nEvery error is \`{code, message, details}\`; \`details.field\` names the input at fault.\n\n${errorCatalogueMarkdown()}`,
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const metrics = installMetrics(app, () => openPurchaseCounts(database, clock.now()));
  const services = await buildServices(ctx, (kind) => metrics.purchaseEvents.inc({ kind }));

  healthRoutes(app, database, isClosing);
  await registerPosV1(app, services);

  return { app, metrics, services };
}
