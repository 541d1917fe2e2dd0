/** Schemas of the audit log. */
import { Type } from "typebox";
import { AdminText, ListQuery, Timestamp } from "./common.js";

export const AuditEntryView = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  userId: Type.Union([Type.Integer(), Type.Null()], { description: "null: the command line" }),
  address: Type.Union([Type.String(), Type.Null()]),
  partnerCode: Type.Union([Type.String(), Type.Null()]),
  entityType: Type.String(),
  entityId: Type.String(),
  action: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

export const AuditListQuery = ListQuery(["id"], {
  userId: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,15}$" })),
  entityType: Type.Optional(AdminText(1, 64)),
  entityId: Type.Optional(AdminText(1, 256)),
  from: Type.Optional(Type.String({ format: "date-time", description: "inclusive" })),
  to: Type.Optional(Type.String({ format: "date-time", description: "exclusive" })),
});
