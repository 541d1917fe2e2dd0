/**
 * Programs and their rules in the cabinet: terms, rules as engine definitions (every change a new
 * version), versions and diffs, enabling and disabling, the condition and effect registries the cabinet
 * builds its forms from, and simulate. Participants read a program; only its owner changes it.
 */
import {
  AdminCode,
  AdminProgramDetail,
  AdminRuleList,
  AdminRuleView,
  BooleanQuery,
  errorResponses,
  PartnerCodeParams,
  PartnerParams,
  ProgramCreate,
  ProgramPatch,
  RuleBody,
  RuleDiffQuery,
  RuleDiffView,
  RuleIdParam,
  RuleTypesView,
  RuleVersionList,
  RuleVersionParam,
  RuleVersionView,
  SimulateRequest,
  SimulateView,
} from "@kopilka/contract";
import { Type } from "typebox";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: programs and rules"];
const ProgramParams = PartnerParams({ programCode: AdminCode });
const RuleParams = PartnerParams({ programCode: AdminCode, ruleId: RuleIdParam });
const VersionParams = PartnerParams({
  programCode: AdminCode,
  ruleId: RuleIdParam,
  version: RuleVersionParam,
});
const RuleListQuery = Type.Object({ active: Type.Optional(BooleanQuery) }, { additionalProperties: false });

export function ruleRoutes(app: Api, { programAdmin }: AdminServices): void {
  app.post(
    "/partners/:partnerCode/programs",
    {
      config: { permission: "programs.write" },
      schema: {
        tags,
        operationId: "adminCreateProgram",
        summary: "Create a program with its terms (it starts with no rules)",
        params: PartnerCodeParams,
        body: ProgramCreate,
        response: { 200: AdminProgramDetail, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => programAdmin.createProgram(adminOf(request).actor, partnerOf(request), request.body),
  );

  app.get(
    "/partners/:partnerCode/programs/:programCode",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminGetProgram",
        summary: "A program the partner owns or participates in, with its terms and version",
        params: ProgramParams,
        response: { 200: AdminProgramDetail, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => programAdmin.getProgram(partnerOf(request), request.params.programCode),
  );

  app.patch(
    "/partners/:partnerCode/programs/:programCode",
    {
      config: { permission: "programs.write" },
      schema: {
        tags,
        operationId: "adminUpdateProgram",
        summary: "Change a program's terms or switch it on and off (owners); a new program version",
        params: ProgramParams,
        body: ProgramPatch,
        response: { 200: AdminProgramDetail, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      programAdmin.updateProgram(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.body,
      ),
  );

  app.get(
    "/partners/:partnerCode/programs/:programCode/rules",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListRules",
        summary: "The program's rules, each at its current version",
        params: ProgramParams,
        querystring: RuleListQuery,
        response: { 200: AdminRuleList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      programAdmin.listRules(partnerOf(request), request.params.programCode, {
        ...(request.query.active !== undefined ? { active: request.query.active === "true" } : {}),
      }),
  );

  app.post(
    "/partners/:partnerCode/programs/:programCode/rules",
    {
      config: { permission: "rules.write" },
      schema: {
        tags,
        operationId: "adminCreateRule",
        summary:
          "Create a rule (version 1, active); every problem is answered at once, each naming its field",
        params: ProgramParams,
        body: RuleBody,
        response: { 200: AdminRuleView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      programAdmin.createRule(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.body,
      ),
  );

  app.get(
    "/partners/:partnerCode/programs/:programCode/rules/:ruleId",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminGetRule",
        summary: "A rule at its current version",
        params: RuleParams,
        response: { 200: AdminRuleView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      programAdmin.getRule(partnerOf(request), request.params.programCode, Number(request.params.ruleId)),
  );

  app.put(
    "/partners/:partnerCode/programs/:programCode/rules/:ruleId",
    {
      config: { permission: "rules.write" },
      schema: {
        tags,
        operationId: "adminUpdateRule",
        summary: "Save a new version of a rule (the earlier ones stay); the same body changes nothing",
        params: RuleParams,
        body: RuleBody,
        response: { 200: AdminRuleView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) =>
      programAdmin.updateRule(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        Number(request.params.ruleId),
        request.body,
      ),
  );

  for (const [action, active] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(
      `/partners/:partnerCode/programs/:programCode/rules/:ruleId/${action}`,
      {
        config: { permission: "rules.write" },
        schema: {
          tags,
          operationId: active ? "adminEnableRule" : "adminDisableRule",
          summary: active ? "Switch a rule on" : "Switch a rule off (it stays, with its versions)",
          params: RuleParams,
          response: { 200: AdminRuleView, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) =>
        programAdmin.setRuleActive(
          adminOf(request).actor,
          partnerOf(request),
          request.params.programCode,
          Number(request.params.ruleId),
          active,
        ),
    );
  }

  app.get(
    "/partners/:partnerCode/programs/:programCode/rules/:ruleId/versions",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListRuleVersions",
        summary: "Every version of a rule, newest first",
        params: RuleParams,
        response: { 200: RuleVersionList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      programAdmin.ruleVersions(
        partnerOf(request),
        request.params.programCode,
        Number(request.params.ruleId),
      ),
  );

  app.get(
    "/partners/:partnerCode/programs/:programCode/rules/:ruleId/versions/:version",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminGetRuleVersion",
        summary: "One version of a rule",
        params: VersionParams,
        response: { 200: RuleVersionView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      programAdmin.ruleVersion(
        partnerOf(request),
        request.params.programCode,
        Number(request.params.ruleId),
        Number(request.params.version),
      ),
  );

  app.get(
    "/partners/:partnerCode/programs/:programCode/rules/:ruleId/diff",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminDiffRuleVersions",
        summary: "The fields that differ between two versions of a rule",
        params: RuleParams,
        querystring: RuleDiffQuery,
        response: { 200: RuleDiffView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      programAdmin.ruleDiff(
        partnerOf(request),
        request.params.programCode,
        Number(request.params.ruleId),
        Number(request.query.from),
        Number(request.query.to),
      ),
  );

  app.get(
    "/partners/:partnerCode/rule-types",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminRuleTypes",
        summary: "The condition and effect types with the JSON Schemas of their parameters (for forms)",
        params: PartnerCodeParams,
        response: { 200: RuleTypesView, ...errorResponses(401, 403, 404) },
      },
    },
    async () => programAdmin.ruleTypes(),
  );

  app.post(
    "/partners/:partnerCode/simulate",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminSimulate",
        summary:
          "Price a receipt for a card or a card profile without saving anything; explains every rule that gave nothing",
        params: PartnerCodeParams,
        body: SimulateRequest,
        response: { 200: SimulateView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { programCode, at, ...rest } = request.body;
      return programAdmin.simulate(partnerOf(request), programCode, {
        ...rest,
        ...(rest.profile
          ? {
              profile: {
                ...rest.profile,
                ...(rest.profile.client ? { client: rest.profile.client } : {}),
              },
            }
          : {}),
        ...(at !== undefined ? { at: Date.parse(at) } : {}),
      } as Parameters<typeof programAdmin.simulate>[2]);
    },
  );
}
