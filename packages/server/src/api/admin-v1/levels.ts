import {
  AdminCode,
  Done,
  errorResponses,
  LevelCreate,
  LevelList,
  LevelPatch,
  LevelSettingsSchema,
  LevelView,
  PartnerParams,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: card levels"];
const ProgramParams = PartnerParams({ programCode: AdminCode });
const LevelParams = PartnerParams({ programCode: AdminCode, levelCode: AdminCode });
const BASE = "/partners/:partnerCode/programs/:programCode/levels";

/** Card levels of a program and how it counts them: marketers and owners write. */
export function levelRoutes(app: Api, { levels }: AdminServices): void {
  app.get(
    BASE,
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListLevels",
        summary: "The program's levels by threshold, and its level settings",
        params: ProgramParams,
        response: { 200: LevelList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => levels.list(partnerOf(request), request.params.programCode),
  );

  app.post(
    BASE,
    {
      config: { permission: "levels.write" },
      schema: {
        tags,
        operationId: "adminCreateLevel",
        summary: "Add a level: its code is the card's level string that rules name (card_levels)",
        params: ProgramParams,
        body: LevelCreate,
        response: { 200: LevelView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) =>
      levels.create(adminOf(request).actor, partnerOf(request), request.params.programCode, request.body),
  );

  app.put(
    `${BASE}-settings`,
    {
      config: { permission: "levels.write" },
      schema: {
        tags,
        operationId: "adminPutLevelSettings",
        summary:
          "How the program counts levels: basis, period, downgrade at the end of a period, upgrade at every confirm",
        params: ProgramParams,
        body: LevelSettingsSchema,
        response: { 200: LevelSettingsSchema, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      levels.putSettings(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.body,
      ),
  );

  app.patch(
    `${BASE}/:levelCode`,
    {
      config: { permission: "levels.write" },
      schema: {
        tags,
        operationId: "adminUpdateLevel",
        summary: "Rename a level or change its threshold",
        params: LevelParams,
        body: LevelPatch,
        response: { 200: LevelView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) =>
      levels.update(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.params.levelCode,
        request.body,
      ),
  );

  app.delete(
    `${BASE}/:levelCode`,
    {
      config: { permission: "levels.write" },
      schema: {
        tags,
        operationId: "adminDeleteLevel",
        summary: "Remove a level (cards keep the string; the program no longer moves them down from it)",
        params: LevelParams,
        response: { 200: Done, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      levels.remove(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.params.levelCode,
      ),
  );
}
