import { errorResponses } from "@kopilka/contract";
import { Type } from "typebox";
import type { Database } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import type { Api } from "../http/types.js";

const Status = Type.Object({ status: Type.String() });

export function healthRoutes(
  app: Api,
  database: Database,
  isClosing: () => boolean,
  load: { overloaded(): boolean },
): void {
  app.get(
    "/health/live",
    {
      schema: { tags: ["operations"], summary: "The process is up", security: [], response: { 200: Status } },
    },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/health/ready",
    {
      schema: {
        tags: ["operations"],
        summary:
          "The process can serve: the database answers, no shutdown is under way and it is not shedding load",
        security: [],
        response: { 200: Status, ...errorResponses(503) },
      },
    },
    async () => {
      if (isClosing()) throw new DomainError("NOT_READY", "shutting down");
      if (load.overloaded()) throw new DomainError("NOT_READY", "overloaded: refusing API requests");
      try {
        await database.ping();
      } catch {
        throw new DomainError("NOT_READY", "the database does not answer");
      }
      return { status: "ok" };
    },
  );
}
