/** Schemas of partners (platform administrators). */
import { Type } from "typebox";
import { AdminCode, AdminText, ListQuery, Timestamp } from "./common.js";

export const PartnerView = Type.Object({ code: Type.String(), name: Type.String(), createdAt: Timestamp });

export const PartnerCreate = Type.Object(
  { code: AdminCode, name: AdminText(1, 200) },
  { additionalProperties: false },
);

export const PartnerUpdate = Type.Object(
  { name: Type.Optional(AdminText(1, 200)) },
  { additionalProperties: false, minProperties: 1 },
);

export const PartnerListQuery = ListQuery(["code", "name", "createdAt"], {
  q: Type.Optional(AdminText(1, 100)),
});
