/** Schemas of programs as partners see them, and of the partners a program is offered to. */
import { Type } from "typebox";
import { AdminCode, Timestamp } from "./common.js";

export const ProgramRelationSchema = Type.Union([Type.Literal("owner"), Type.Literal("participant")], {
  description:
    "owner: edits the program and sees all its transactions; participant: sees only its own stores' transactions",
});

export const AdminProgramView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  active: Type.Boolean(),
  ownerPartnerCode: Type.String(),
  relation: ProgramRelationSchema,
});

export const AdminProgramList = Type.Object({ items: Type.Array(AdminProgramView) });

export const ParticipantView = Type.Object({
  partnerCode: Type.String(),
  partnerName: Type.String(),
  since: Timestamp,
});

export const ParticipantList = Type.Object({ items: Type.Array(ParticipantView) });

export const ParticipantAdd = Type.Object({ partnerCode: AdminCode }, { additionalProperties: false });
