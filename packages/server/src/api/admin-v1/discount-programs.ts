/**
 * Manufacturer discount programs in the cabinet (every change a new version, audited; participants read,
 * the owner changes) and the partner's PharmApi access: credential pairs and the trust key, each secret
 * shown once.
 */
import {
  AdminCode,
  DiscountProgramBody,
  DiscountProgramCreate,
  DiscountProgramList,
  DiscountProgramVersionList,
  DiscountProgramView,
  errorResponses,
  PartnerCodeParams,
  PartnerParams,
  PharmApiCredentialCreate,
  PharmApiCredentialIdParam,
  PharmApiCredentialList,
  PharmApiCredentialPatch,
  PharmApiCredentialView,
  PharmApiCredentialWithSecret,
  PharmApiTrustKeyAnswer,
} from "@kopilka/contract";
import { Type } from "typebox";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: discount programs"];
const pharmTags = ["admin: PharmApi access"];
const ProgramParams = PartnerParams({ programCode: AdminCode });
const CredentialParams = PartnerParams({ credentialId: PharmApiCredentialIdParam });
const Rotated = Type.Object({ credential: PharmApiCredentialView, secret: Type.String() });

export function discountProgramRoutes(app: Api, { discountPrograms, pharmApiAdmin }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/discount-programs",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListDiscountPrograms",
        summary: "Discount programs the partner owns or participates in",
        params: PartnerCodeParams,
        response: { 200: DiscountProgramList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => discountPrograms.list(partnerOf(request)),
  );

  app.post(
    "/partners/:partnerCode/discount-programs",
    {
      config: { permission: "programs.write" },
      schema: {
        tags,
        operationId: "adminCreateDiscountProgram",
        summary: "Create a discount program: product list, ceiling, limits, card ranges, sale policies",
        params: PartnerCodeParams,
        body: DiscountProgramCreate,
        response: { 201: DiscountProgramView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return discountPrograms.create(adminOf(request).actor, partnerOf(request), request.body);
    },
  );

  app.get(
    "/partners/:partnerCode/discount-programs/:programCode",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminGetDiscountProgram",
        summary: "A discount program as it is now, with its version",
        params: ProgramParams,
        response: { 200: DiscountProgramView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => discountPrograms.get(partnerOf(request), request.params.programCode),
  );

  app.put(
    "/partners/:partnerCode/discount-programs/:programCode",
    {
      config: { permission: "programs.write" },
      schema: {
        tags,
        operationId: "adminReplaceDiscountProgram",
        summary:
          "Replace the program's definition (a new version; purchases keep the version that priced them)",
        params: ProgramParams,
        body: DiscountProgramBody,
        response: { 200: DiscountProgramView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) =>
      discountPrograms.update(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.body,
      ),
  );

  app.get(
    "/partners/:partnerCode/discount-programs/:programCode/versions",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListDiscountProgramVersions",
        summary: "Every saved version of the program, newest first",
        params: ProgramParams,
        response: { 200: DiscountProgramVersionList, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => discountPrograms.versions(partnerOf(request), request.params.programCode),
  );

  app.get(
    "/partners/:partnerCode/pharmapi-credentials",
    {
      config: { permission: "credentials.read" },
      schema: {
        tags: pharmTags,
        operationId: "adminListPharmApiCredentials",
        summary: "The partner's PharmApi credential pairs (never their secrets)",
        params: PartnerCodeParams,
        response: { 200: PharmApiCredentialList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => pharmApiAdmin.list(partnerOf(request).id),
  );

  app.post(
    "/partners/:partnerCode/pharmapi-credentials",
    {
      config: { permission: "credentials.write" },
      schema: {
        tags: pharmTags,
        operationId: "adminCreatePharmApiCredential",
        summary: "Issue an Authorization-Token/Authorization-Secret pair; the answer shows both once",
        params: PartnerCodeParams,
        body: PharmApiCredentialCreate,
        response: { 201: PharmApiCredentialWithSecret, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return pharmApiAdmin.create(
        adminOf(request).actor,
        partnerOf(request).id,
        request.body.description ?? null,
      );
    },
  );

  app.post(
    "/partners/:partnerCode/pharmapi-credentials/:credentialId/rotate",
    {
      config: { permission: "credentials.write" },
      schema: {
        tags: pharmTags,
        operationId: "adminRotatePharmApiSecret",
        summary: "A new Authorization-Secret for the pair (shown once); the old one stops working",
        params: CredentialParams,
        response: { 200: Rotated, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      pharmApiAdmin.rotate(
        adminOf(request).actor,
        partnerOf(request).id,
        Number(request.params.credentialId),
      ),
  );

  app.patch(
    "/partners/:partnerCode/pharmapi-credentials/:credentialId",
    {
      config: { permission: "credentials.write" },
      schema: {
        tags: pharmTags,
        operationId: "adminUpdatePharmApiCredential",
        summary: "Enable or disable a PharmApi credential pair",
        params: CredentialParams,
        body: PharmApiCredentialPatch,
        response: { 200: PharmApiCredentialView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      pharmApiAdmin.setEnabled(
        adminOf(request).actor,
        partnerOf(request).id,
        Number(request.params.credentialId),
        request.body.enabled,
      ),
  );

  app.post(
    "/partners/:partnerCode/pharmapi-trust-key",
    {
      config: { permission: "credentials.write" },
      schema: {
        tags: pharmTags,
        operationId: "adminIssuePharmApiTrustKey",
        summary: "A new trust_key for cancel_purchase (shown once); the earlier one stops passing",
        params: PartnerCodeParams,
        response: { 200: PharmApiTrustKeyAnswer, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => pharmApiAdmin.issueTrustKey(adminOf(request).actor, partnerOf(request).id),
  );
}
