/** Schemas of cabinet users: members of a partner (owners manage them) and every user (platform). */
import { Type } from "typebox";
import { Membership } from "./auth.js";
import { BooleanQuery, Email, ListQuery, PartnerRoleSchema, Timestamp } from "./common.js";

export const MemberView = Type.Object({
  userId: Type.Integer(),
  email: Type.String(),
  role: PartnerRoleSchema,
  enabled: Type.Boolean({ description: "The membership: false when disabled in this partner" }),
  accountEnabled: Type.Boolean({ description: "The user's account across the platform" }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const MemberCreate = Type.Object(
  { email: Email, role: PartnerRoleSchema },
  { additionalProperties: false },
);

export const MemberCreated = Type.Object({
  member: MemberView,
  oneTimePassword: Type.Union([Type.String(), Type.Null()], {
    description:
      "Shown once when the user is new; they must change it at first login. null when the e-mail already had an account",
  }),
});

export const MemberUpdate = Type.Object({ role: PartnerRoleSchema }, { additionalProperties: false });

export const MemberListQuery = ListQuery(["email", "createdAt"], {
  role: Type.Optional(PartnerRoleSchema),
  enabled: Type.Optional(BooleanQuery),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: "^[^\\u0000-\\u001F\\u007F]*$" })),
});

export const UserView = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  platformAdmin: Type.Boolean(),
  enabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  memberships: Type.Array(Membership),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const UserCreate = Type.Object(
  { email: Email, platformAdmin: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

export const UserUpdate = Type.Object({ platformAdmin: Type.Boolean() }, { additionalProperties: false });

export const UserWithPassword = Type.Object({
  user: UserView,
  oneTimePassword: Type.String({ description: "Shown once; to be changed at first login" }),
});

export const UserListQuery = ListQuery(["email", "createdAt"], {
  enabled: Type.Optional(BooleanQuery),
  platformAdmin: Type.Optional(BooleanQuery),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: "^[^\\u0000-\\u001F\\u007F]*$" })),
});
