/** Schemas of a partner's stores. */
import { Type } from "typebox";
import { AdminCode, AdminText, BooleanQuery, ListQuery, Timestamp } from "./common.js";

export const StoreView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[A-Za-z0-9_+/-]+$",
  description: "IANA time zone",
});

export const StoreCreate = Type.Object(
  {
    code: AdminCode,
    name: AdminText(1, 200),
    timezone: TimeZone,
    address: Type.Optional(Type.Union([AdminText(0, 500), Type.Null()])),
  },
  { additionalProperties: false },
);

export const StoreUpdate = Type.Object(
  {
    name: Type.Optional(AdminText(1, 200)),
    timezone: Type.Optional(TimeZone),
    address: Type.Optional(Type.Union([AdminText(0, 500), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const StoreListQuery = ListQuery(["code", "name", "createdAt"], {
  active: Type.Optional(BooleanQuery),
  q: Type.Optional(AdminText(1, 100)),
});
