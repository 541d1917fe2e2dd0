/**
 * Serves the web cabinet (`apps/cabinet/dist`, built by `npm run build`) at `/`. Hashed assets under
 * `/assets/` never change under their name, so browsers keep them a year; `index.html` names them and is
 * revalidated on every load, so a deploy shows at the next reload. Any other GET that is not an API path
 * is a client route of the single-page app and gets `index.html`; API prefixes keep their JSON 404.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyBaseLogger } from "fastify";
import type { Api } from "../http/types.js";

/** Where `vite build` puts the cabinet, seen from this file in `packages/server/dist/api/cabinet/`. */
export const DEFAULT_CABINET_DIR = fileURLToPath(
  new URL("../../../../../apps/cabinet/dist", import.meta.url),
);

/** Paths that belong to the server: never answered with the cabinet's page. */
const SERVER_PREFIXES = ["/v1", "/admin", "/api", "/docs", "/openapi.json", "/metrics", "/health"];

const YEAR_MS = 365 * 24 * 3600 * 1000;

export function isServerPath(path: string): boolean {
  return SERVER_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`));
}

function filesUnder(root: string): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else found.add(relative(root, full).split(sep).join("/"));
    }
  };
  walk(root);
  return found;
}

/**
 * Registers the cabinet if it has been built; otherwise logs one line and serves the API alone.
 * Returns whether the cabinet is served.
 */
export async function registerCabinet(
  app: Api,
  logger: FastifyBaseLogger,
  directory: string = DEFAULT_CABINET_DIR,
): Promise<boolean> {
  if (!existsSync(join(directory, "index.html"))) {
    logger.info(
      { directory },
      "web cabinet not built (no index.html): serving the API only; `npm run build` builds it",
    );
    return false;
  }
  // Listed once: a file added later needs a restart, as a new build does anyway.
  const files = filesUnder(directory);
  await app.register(async (scope) => {
    // serve: false: no routes of its own, only reply.sendFile (ETag, ranges, the .gz beside a file).
    await scope.register(fastifyStatic, { root: directory, serve: false, preCompressed: true });
    scope.get("/*", { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split("?")[0]!;
      if (isServerPath(path)) return reply.callNotFound();
      let file: string;
      try {
        file = decodeURIComponent(path.slice(1));
      } catch {
        return reply.callNotFound();
      }
      if (files.has(file) && !file.endsWith(".gz") && file !== "index.html") {
        if (file.startsWith("assets/")) {
          return reply.sendFile(file, { maxAge: YEAR_MS, immutable: true });
        }
        return reply.sendFile(file, { maxAge: 0 });
      }
      // A missing hashed asset is a 404, not the page: a script tag must never receive HTML.
      if (file.startsWith("assets/")) return reply.callNotFound();
      reply.header("cache-control", "no-cache");
      return reply.sendFile("index.html", { cacheControl: false });
    });
  });
  logger.info({ directory }, "web cabinet served at /");
  return true;
}
