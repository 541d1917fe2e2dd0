/** Schemas of a program's registration settings in the cabinet. */
import { Type } from "typebox";
import { CheckDigitSchema } from "../pos-v1/clients.js";
import { Nullable } from "../schema-helpers.js";
import { AdminCode, PartnerParams } from "./common.js";

export const RegistrationParams = PartnerParams({ programCode: AdminCode });

const VirtualCards = Type.Object(
  {
    prefix: Type.String({ pattern: "^[0-9]{0,18}$" }),
    length: Type.Integer({ minimum: 2, maximum: 32 }),
    checkDigit: CheckDigitSchema,
  },
  { additionalProperties: false },
);

export const RegistrationSettingsView = Type.Object({
  programCode: Type.String(),
  loginValue: Type.Union([Type.Literal("phone"), Type.Literal("email")]),
  confirmationMethod: Type.Union([Type.Literal("phone"), Type.Literal("email"), Type.Literal("none")]),
  attachCardOnRegistration: Type.Boolean(),
  virtualCards: Nullable(
    Type.Object({ prefix: Type.String(), length: Type.Integer(), checkDigit: CheckDigitSchema }),
  ),
});

export const RegistrationSettingsUpdate = Type.Object(
  {
    loginValue: Type.Optional(Type.Union([Type.Literal("phone"), Type.Literal("email")])),
    confirmationMethod: Type.Optional(
      Type.Union([Type.Literal("phone"), Type.Literal("email"), Type.Literal("none")]),
    ),
    attachCardOnRegistration: Type.Optional(Type.Boolean()),
    virtualCards: Type.Optional(Nullable(VirtualCards)),
  },
  { additionalProperties: false, minProperties: 1 },
);
