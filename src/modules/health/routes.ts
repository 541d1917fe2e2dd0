import { sql } from "kysely";
import { Type } from "typebox";
import { ApiError, errorResponses } from "../../http/errors.js";
import type { Api } from "../../http/types.js";
import type { Database } from "../../infra/db/database.js";

const Status = Type.Object({ status: Type.String() });

export function healthRoutes(app: Api, database: Database, isClosing: () => boolean): void {
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
        summary: "The process can serve: the database answers and no shutdown is under way",
        security: [],
        response: { 200: Status, ...errorResponses(503) },
      },
    },
    async () => {
      if (isClosing()) throw new ApiError("NOT_READY", "shutting down");
      try {
        await sql`select 1`.execute(database.db);
      } catch {
        throw new ApiError("NOT_READY", "the database does not answer");
      }
      return { status: "ok" };
    },
  );
}
