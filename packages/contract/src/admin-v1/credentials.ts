/** Schemas of POS credentials as the cabinet manages them. The secret appears once, in the answer that made it. */
import { Type } from "typebox";
import { AdminCode, AdminText, BooleanQuery, ListQuery, Timestamp } from "./common.js";

export const CredentialView = Type.Object({
  login: Type.String(),
  storeCode: Type.Union([Type.String(), Type.Null()], { description: "null: acts for the whole partner" }),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  secretRotatedAt: Type.Union([Timestamp, Type.Null()]),
});

export const CredentialWithSecret = Type.Object({
  credential: CredentialView,
  secret: Type.String({ description: "Shown once: only its hash is kept" }),
});

export const CredentialCreate = Type.Object(
  {
    login: AdminCode,
    storeCode: Type.Optional(Type.Union([AdminCode, Type.Null()])),
    description: Type.Optional(Type.Union([AdminText(0, 500), Type.Null()])),
  },
  { additionalProperties: false },
);

export const CredentialUpdate = Type.Object(
  {
    storeCode: Type.Optional(Type.Union([AdminCode, Type.Null()])),
    description: Type.Optional(Type.Union([AdminText(0, 500), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const CredentialListQuery = ListQuery(["login", "createdAt"], {
  enabled: Type.Optional(BooleanQuery),
  storeCode: Type.Optional(AdminCode),
  q: Type.Optional(AdminText(1, 100)),
});
