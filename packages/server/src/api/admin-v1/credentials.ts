import {
  AdminCode,
  CredentialCreate,
  CredentialListQuery,
  CredentialUpdate,
  CredentialView,
  CredentialWithSecret,
  errorResponses,
  PageOf,
  PartnerCodeParams,
  PartnerParams,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import { flag, pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: POS credentials"];
const CredentialParams = PartnerParams({ login: AdminCode });

export function credentialRoutes(app: Api, { admin }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/credentials",
    {
      config: { permission: "credentials.read" },
      schema: {
        tags,
        operationId: "adminListCredentials",
        summary: "List the partner's POS credentials (never their secrets)",
        params: PartnerCodeParams,
        querystring: CredentialListQuery,
        response: { 200: PageOf(CredentialView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      admin.listCredentials(
        partnerOf(request),
        { enabled: flag(request.query.enabled), storeCode: request.query.storeCode, q: request.query.q },
        pageQuery(request.query, "login"),
      ),
  );

  app.post(
    "/partners/:partnerCode/credentials",
    {
      config: { permission: "credentials.write" },
      schema: {
        tags,
        operationId: "adminCreateCredential",
        summary: "Create a POS credential; the answer shows its secret once",
        params: PartnerCodeParams,
        body: CredentialCreate,
        response: { 201: CredentialWithSecret, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return admin.createCredential(adminOf(request).actor, partnerOf(request), request.body);
    },
  );

  app.get(
    "/partners/:partnerCode/credentials/:login",
    {
      config: { permission: "credentials.read" },
      schema: {
        tags,
        operationId: "adminGetCredential",
        summary: "One POS credential",
        params: CredentialParams,
        response: { 200: CredentialView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.getCredential(partnerOf(request), request.params.login),
  );

  app.patch(
    "/partners/:partnerCode/credentials/:login",
    {
      config: { permission: "credentials.write" },
      schema: {
        tags,
        operationId: "adminUpdateCredential",
        summary: "Change a credential's store binding or description",
        params: CredentialParams,
        body: CredentialUpdate,
        response: { 200: CredentialView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      admin.updateCredential(adminOf(request).actor, partnerOf(request), request.params.login, request.body),
  );

  for (const [action, enabled] of [
    ["disable", false],
    ["enable", true],
  ] as const) {
    app.post(
      `/partners/:partnerCode/credentials/:login/${action}`,
      {
        config: { permission: "credentials.write" },
        schema: {
          tags,
          operationId: `admin${action === "enable" ? "Enable" : "Disable"}Credential`,
          summary:
            action === "disable"
              ? "Disable a credential: it cannot log in, and its tokens stop within AUTH_CACHE_TTL_MS"
              : "Enable a disabled credential",
          params: CredentialParams,
          response: { 200: CredentialView, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) =>
        admin.setCredentialEnabled(adminOf(request).actor, partnerOf(request), request.params.login, enabled),
    );
  }

  app.post(
    "/partners/:partnerCode/credentials/:login/rotate-secret",
    {
      config: { permission: "credentials.write" },
      schema: {
        tags,
        operationId: "adminRotateCredentialSecret",
        summary:
          "Give a credential a new secret, shown once; tokens issued with the old one stop within AUTH_CACHE_TTL_MS",
        params: CredentialParams,
        response: { 200: CredentialWithSecret, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      admin.rotateCredentialSecret(adminOf(request).actor, partnerOf(request), request.params.login),
  );
}
