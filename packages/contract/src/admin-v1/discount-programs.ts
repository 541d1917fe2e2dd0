/**
 * Manufacturer discount programs in the admin API (PharmApi's product-list programs): the product list
 * with a discount per pack, price ceiling, participating partners and stores, per-card limits, card
 * ranges whose cards exist on first use, and the sale policies of the PharmApi facade. Every change is a
 * new program version; purchases record the version that priced them. Also the facade's credentials.
 */
import { type Static, Type } from "typebox";
import { Instant } from "../rules/definition.js";
import { DiscountProgramItem, DiscountProgramLimit } from "../rules/discount-program.js";
import { AdminCode, AdminText, Timestamp } from "./common.js";

const Code = Type.String({ minLength: 1, maxLength: 100 });

export const CardRange = Type.Object(
  {
    prefix: Type.String({
      pattern: "^[0-9]{1,18}$",
      description: "the digits every card of the range starts with",
    }),
    lengths: Type.Array(Type.Integer({ minimum: 4, maximum: 50 }), {
      minItems: 1,
      maxItems: 10,
      description: "the card number lengths of the range (digits)",
    }),
    activeSuffixes: Type.Optional(
      Type.Array(Type.String({ pattern: "^[0-9]{1,10}$" }), {
        minItems: 1,
        maxItems: 100,
        description:
          'a number is active when it ends with one of these (e.g. ["0"]); absent: every number of the range',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CardRange = Static<typeof CardRange>;

export const DiscountProgramSettings = Type.Object(
  {
    confirmWindowMinutes: Type.Integer({
      minimum: 1,
      maximum: 10_080,
      description: "confirm and cancel are accepted this long after the calculation (PharmApi: 30)",
    }),
    confirmAllTogether: Type.Boolean({
      description: "confirm and cancel must name every transaction code of a calculation at once",
    }),
    registration: Type.Boolean({
      description: "PharmApi register/confirm_code work for this program; off: the protocol's fixed refusal",
    }),
    description: Type.Optional(AdminText(0, 500)),
  },
  { additionalProperties: false },
);
export type DiscountProgramSettings = Static<typeof DiscountProgramSettings>;

const bodyProperties = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  active: Type.Optional(Type.Boolean()),
  validFrom: Type.Optional(Type.Union([Instant, Type.Null()])),
  validTo: Type.Optional(Type.Union([Instant, Type.Null()])),
  partners: Type.Optional(Type.Array(Code, { minItems: 1, description: "absent: every partner" })),
  stores: Type.Optional(
    Type.Array(Code, { minItems: 1, description: "absent: every store of the partners" }),
  ),
  priceCeiling: Type.Optional(Type.Integer({ minimum: 1, description: "kopecks per pack, for every item" })),
  items: Type.Array(DiscountProgramItem, { minItems: 1, maxItems: 100_000 }),
  limits: Type.Optional(Type.Array(DiscountProgramLimit, { maxItems: 20 })),
  cardRanges: Type.Optional(Type.Array(CardRange, { maxItems: 100 })),
  confirmWindowMinutes: Type.Optional(DiscountProgramSettings.properties.confirmWindowMinutes),
  confirmAllTogether: Type.Optional(Type.Boolean()),
  registration: Type.Optional(Type.Boolean()),
  description: Type.Optional(AdminText(0, 500)),
};

/** A whole discount program as the cabinet sends it: a change replaces it and makes a new version. */
export const DiscountProgramBody = Type.Object(bodyProperties, { additionalProperties: false });
export type DiscountProgramBody = Static<typeof DiscountProgramBody>;

export const DiscountProgramCreate = Type.Object(
  { code: AdminCode, ...bodyProperties },
  { additionalProperties: false },
);
export type DiscountProgramCreate = Static<typeof DiscountProgramCreate>;

export const DiscountProgramView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  active: Type.Boolean(),
  ownerPartnerCode: Type.String(),
  version: Type.Integer(),
  validFrom: Type.Union([Type.String(), Type.Null()]),
  validTo: Type.Union([Type.String(), Type.Null()]),
  partners: Type.Union([Type.Array(Type.String()), Type.Null()]),
  stores: Type.Union([Type.Array(Type.String()), Type.Null()]),
  priceCeiling: Type.Union([Type.Integer(), Type.Null()]),
  items: Type.Array(DiscountProgramItem),
  limits: Type.Array(DiscountProgramLimit),
  cardRanges: Type.Array(CardRange),
  confirmWindowMinutes: Type.Integer(),
  confirmAllTogether: Type.Boolean(),
  registration: Type.Boolean(),
  description: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Timestamp,
});

export const DiscountProgramList = Type.Object({ items: Type.Array(DiscountProgramView) });

export const DiscountProgramVersionList = Type.Object({
  items: Type.Array(
    Type.Object({
      version: Type.Integer(),
      createdAt: Timestamp,
      userId: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});

// ---- PharmApi credentials -------------------------------------------------------------------------

export const PharmApiCredentialView = Type.Object({
  id: Type.Integer(),
  tokenHint: Type.String({ description: "the token's first characters" }),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  secretRotatedAt: Type.Union([Timestamp, Type.Null()]),
});

export const PharmApiCredentialWithSecret = Type.Object({
  credential: PharmApiCredentialView,
  token: Type.String({ description: "Authorization-Token; shown once, only its hash is kept" }),
  secret: Type.String({ description: "Authorization-Secret; shown once, only its hash is kept" }),
});

export const PharmApiCredentialCreate = Type.Object(
  { description: Type.Optional(Type.Union([AdminText(0, 500), Type.Null()])) },
  { additionalProperties: false },
);

export const PharmApiCredentialPatch = Type.Object(
  { enabled: Type.Boolean() },
  { additionalProperties: false },
);

export const PharmApiCredentialList = Type.Object({ items: Type.Array(PharmApiCredentialView) });

export const PharmApiCredentialIdParam = Type.String({ pattern: "^[1-9][0-9]{0,15}$" });

export const PharmApiTrustKeyAnswer = Type.Object({
  trustKey: Type.String({ description: "shown once: only its hash is kept" }),
});
