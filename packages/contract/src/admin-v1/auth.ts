/** Schemas of cabinet sign-in: login, the current user, password change. */
import { Type } from "typebox";
import { Email, PartnerRoleSchema, Timestamp } from "./common.js";

export const LoginRequest = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: 256 }),
    session: Type.Optional(
      Type.Union([Type.Literal("cookie"), Type.Literal("bearer")], {
        description:
          "cookie (default): the session is an httpOnly cookie and the answer carries the CSRF token; bearer: the answer carries a token for `Authorization: Bearer` (scripts)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const Membership = Type.Object({
  partnerCode: Type.String(),
  partnerName: Type.String(),
  role: PartnerRoleSchema,
  enabled: Type.Boolean(),
});

export const CurrentUser = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  platformAdmin: Type.Boolean(),
  mustChangePassword: Type.Boolean({ description: "Signed in with a one-time password: change it first" }),
  memberships: Type.Array(Membership),
});

export const LoginResponse = Type.Object({
  session: Type.Union([Type.Literal("cookie"), Type.Literal("bearer")]),
  token: Type.Union([Type.String(), Type.Null()], { description: "Bearer sessions only; shown once" }),
  csrfToken: Type.Union([Type.String(), Type.Null()], {
    description: "Cookie sessions only: send it as X-CSRF-Token on every POST, PATCH, PUT and DELETE",
  }),
  expiresAt: Timestamp,
  idleTimeoutSeconds: Type.Integer(),
  user: CurrentUser,
});

export const SessionInfo = Type.Object({
  session: Type.Union([Type.Literal("cookie"), Type.Literal("bearer")]),
  expiresAt: Timestamp,
  idleTimeoutSeconds: Type.Integer(),
  user: CurrentUser,
});

export const PasswordChangeRequest = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
    newPassword: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const Done = Type.Object({ ok: Type.Literal(true) });
