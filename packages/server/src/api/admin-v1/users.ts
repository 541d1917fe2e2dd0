import {
  errorResponses,
  MemberCreate,
  MemberCreated,
  MemberListQuery,
  MemberUpdate,
  MemberView,
  PageOf,
  PartnerCodeParams,
  PartnerParams,
  UserCreate,
  UserIdParam,
  UserListQuery,
  UserUpdate,
  UserView,
  UserWithPassword,
} from "@kopilka/contract";
import { Type } from "typebox";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import { flag, pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: users"];
const MemberParams = PartnerParams({ userId: UserIdParam });
const UserParams = Type.Object({ userId: UserIdParam });

export function userRoutes(app: Api, { admin }: AdminServices): void {
  // Members of one partner: owners manage them.
  app.get(
    "/partners/:partnerCode/users",
    {
      config: { permission: "users.read" },
      schema: {
        tags,
        operationId: "adminListMembers",
        summary: "List the partner's users and their roles",
        params: PartnerCodeParams,
        querystring: MemberListQuery,
        response: { 200: PageOf(MemberView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      admin.listMembers(
        partnerOf(request),
        { role: request.query.role, enabled: flag(request.query.enabled), q: request.query.q },
        pageQuery(request.query, "email"),
      ),
  );

  app.post(
    "/partners/:partnerCode/users",
    {
      config: { permission: "users.write" },
      schema: {
        tags,
        operationId: "adminAddMember",
        summary:
          "Give a person a role in the partner; a new e-mail gets an account with a one-time password, shown once",
        params: PartnerCodeParams,
        body: MemberCreate,
        response: { 201: MemberCreated, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return admin.addMember(adminOf(request).actor, partnerOf(request), request.body);
    },
  );

  app.get(
    "/partners/:partnerCode/users/:userId",
    {
      config: { permission: "users.read" },
      schema: {
        tags,
        operationId: "adminGetMember",
        summary: "One user of the partner",
        params: MemberParams,
        response: { 200: MemberView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.getMember(partnerOf(request), Number(request.params.userId)),
  );

  app.patch(
    "/partners/:partnerCode/users/:userId",
    {
      config: { permission: "users.write" },
      schema: {
        tags,
        operationId: "adminUpdateMember",
        summary: "Change a user's role in the partner (a partner keeps at least one owner)",
        params: MemberParams,
        body: MemberUpdate,
        response: { 200: MemberView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) =>
      admin.updateMember(
        adminOf(request).actor,
        partnerOf(request),
        Number(request.params.userId),
        request.body,
      ),
  );

  for (const [action, enabled] of [
    ["disable", false],
    ["enable", true],
  ] as const) {
    app.post(
      `/partners/:partnerCode/users/:userId/${action}`,
      {
        config: { permission: "users.write" },
        schema: {
          tags,
          operationId: `admin${action === "enable" ? "Enable" : "Disable"}Member`,
          summary:
            action === "disable"
              ? "Take a user's role in this partner away (their account and other partners stay)"
              : "Give back a disabled user's role in this partner",
          params: MemberParams,
          response: { 200: MemberView, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) =>
        admin.setMemberEnabled(
          adminOf(request).actor,
          partnerOf(request),
          Number(request.params.userId),
          enabled,
        ),
    );
  }

  // Every user of the platform: platform administrators.
  app.get(
    "/users",
    {
      config: { permission: "platform.users" },
      schema: {
        tags,
        operationId: "adminListUsers",
        summary: "List every cabinet user (platform administrators)",
        querystring: UserListQuery,
        response: { 200: PageOf(UserView), ...errorResponses(401, 403) },
      },
    },
    async (request) =>
      admin.listUsers(
        {
          enabled: flag(request.query.enabled),
          platformAdmin: flag(request.query.platformAdmin),
          q: request.query.q,
        },
        pageQuery(request.query, "email"),
      ),
  );

  app.post(
    "/users",
    {
      config: { permission: "platform.users" },
      schema: {
        tags,
        operationId: "adminCreateUser",
        summary:
          "Create a user (a platform administrator, or one to give roles later); one-time password shown once",
        body: UserCreate,
        response: { 201: UserWithPassword, ...errorResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      const created = await admin.createUser(adminOf(request).actor, request.body);
      return { user: created.user, oneTimePassword: created.oneTimePassword! };
    },
  );

  app.get(
    "/users/:userId",
    {
      config: { permission: "platform.users" },
      schema: {
        tags,
        operationId: "adminGetUser",
        summary: "One user with every role they hold",
        params: UserParams,
        response: { 200: UserView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.getUser(Number(request.params.userId)),
  );

  app.patch(
    "/users/:userId",
    {
      config: { permission: "platform.users" },
      schema: {
        tags,
        operationId: "adminUpdateUser",
        summary: "Make a user a platform administrator or not",
        params: UserParams,
        body: UserUpdate,
        response: { 200: UserView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.updateUser(adminOf(request).actor, Number(request.params.userId), request.body),
  );

  for (const [action, enabled] of [
    ["disable", false],
    ["enable", true],
  ] as const) {
    app.post(
      `/users/:userId/${action}`,
      {
        config: { permission: "platform.users" },
        schema: {
          tags,
          operationId: `admin${action === "enable" ? "Enable" : "Disable"}User`,
          summary:
            action === "disable"
              ? "Disable a user's account everywhere; their sessions end at once"
              : "Enable a disabled account",
          params: UserParams,
          response: { 200: UserView, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => admin.setUserEnabled(adminOf(request).actor, Number(request.params.userId), enabled),
    );
  }

  app.post(
    "/users/:userId/reset-password",
    {
      config: { permission: "platform.users" },
      schema: {
        tags,
        operationId: "adminResetUserPassword",
        summary: "Give a user a new one-time password, shown once; their sessions end",
        params: UserParams,
        response: { 200: UserWithPassword, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const reset = await admin.resetPassword(adminOf(request).actor, Number(request.params.userId));
      return { user: reset.user, oneTimePassword: reset.oneTimePassword! };
    },
  );
}
