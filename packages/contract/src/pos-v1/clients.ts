/** Schemas of registration, identification, clients and the card desk (POS v1). */
import { Type } from "typebox";
import { Nullable } from "../schema-helpers.js";
import { CardNumber } from "./cards.js";
import { Balance } from "./purchases.js";

const ProgramCode = Type.String({ minLength: 1, maxLength: 64 });
const Phone = Type.String({
  minLength: 1,
  maxLength: 32,
  description: "Any common spelling: +7 916 123-45-67, 8 (916) 123 45 67, 9161234567; stored as +79161234567",
});
const Email = Type.String({ minLength: 3, maxLength: 254, description: "Stored lower-cased" });

export const SettingsQuery = Type.Object(
  { programCode: Type.Optional(ProgramCode) },
  { additionalProperties: false },
);

export const CheckDigitSchema = Type.Union([
  Type.Literal("ean13"),
  Type.Literal("luhn"),
  Type.Literal("none"),
]);

export const SettingsView = Type.Object({
  programCode: Type.String(),
  loginValue: Type.Union([Type.Literal("phone"), Type.Literal("email")], {
    description: "What the client's login is",
  }),
  confirmationMethod: Type.Union([Type.Literal("phone"), Type.Literal("email"), Type.Literal("none")], {
    description:
      "How a registration or an identification is confirmed: a code by SMS, by e-mail, or not at all",
  }),
  attachCardOnRegistration: Type.Boolean({
    description: "The card presented at registration is attached; otherwise the till attaches one afterwards",
  }),
  virtualCards: Nullable(
    Type.Object({ prefix: Type.String(), length: Type.Integer(), checkDigit: CheckDigitSchema }),
  ),
  pointsPayment: Type.Object({
    maxShareBp: Type.Integer({
      description: "At most this share of a receipt may be paid with points; 5000 = 50%",
    }),
  }),
});

export const Consents = Type.Object(
  {
    personalData: Type.Boolean({
      description: "Consent to the processing of personal data (152-FZ); required",
    }),
    sms: Type.Optional(Type.Boolean({ description: "Consent to marketing SMS" })),
    email: Type.Optional(Type.Boolean({ description: "Consent to marketing e-mail" })),
  },
  { additionalProperties: false },
);

export const RegisterClientBody = Type.Object(
  {
    programCode: Type.Optional(ProgramCode),
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    phone: Type.Optional(Nullable(Phone)),
    email: Type.Optional(Nullable(Email)),
    birthDate: Type.Optional(
      Nullable(
        Type.String({
          pattern: "^(19|20)\\d\\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$",
          description: "YYYY-MM-DD",
        }),
      ),
    ),
    consents: Consents,
    cardNumber: Type.Optional(Nullable(CardNumber)),
  },
  { additionalProperties: false },
);

export const ClientView = Type.Object({
  id: Type.Integer({ description: "The client's id; cards carry it as clientId" }),
  status: Type.String({ description: "registered, confirmed, merged or anonymised" }),
  name: Nullable(Type.String()),
  phone: Nullable(Type.String({ description: "Masked for the till: +7916***4567" })),
  email: Nullable(Type.String({ description: "Masked for the till: i***@mail.ru" })),
  birthDate: Nullable(Type.String()),
  consents: Nullable(Consents),
  confirmed: Type.Boolean(),
  mergedInto: Nullable(Type.Integer()),
  externalId: Nullable(Type.String()),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Nullable(Type.String({ format: "date-time" })),
});

export const CardSummaryView = Type.Object({
  number: Type.String(),
  programCode: Type.String(),
  status: Type.String(),
  level: Nullable(Type.String()),
  virtual: Type.Boolean(),
  clientId: Nullable(Type.Integer({ description: "The holder's id (GET /v1/clients/{clientId})" })),
  balance: Balance,
});

export const CardList = Type.Object({ cards: Type.Array(CardSummaryView) });

export const ConfirmationView = Type.Object({
  confirmationId: Type.String({ description: "Give it with the code in step 2" }),
  channel: Type.Union([Type.Literal("sms"), Type.Literal("email")]),
  destination: Type.String({ description: "Masked: +7916***4567 or i***@mail.ru" }),
  expiresAt: Type.String({ format: "date-time" }),
  resendAfterSeconds: Type.Integer(),
});

export const RegistrationResult = Type.Object({
  status: Type.Union([Type.Literal("registered"), Type.Literal("confirmation_required")]),
  client: Nullable(ClientView),
  cards: Type.Array(CardSummaryView),
  confirmation: Nullable(ConfirmationView),
});

export const IdentificationResult = Type.Object({
  status: Type.Union([Type.Literal("identified"), Type.Literal("confirmation_required")]),
  cards: Type.Array(CardSummaryView),
  confirmation: Nullable(ConfirmationView),
});

export const ConfirmationParams = Type.Object({
  confirmationId: Type.String({ pattern: "^[0-9a-fA-F-]{36}$" }),
});

export const CodeBody = Type.Object(
  { code: Type.String({ pattern: "^[0-9]{4,8}$", description: "The digits the client received" }) },
  { additionalProperties: false },
);

export const IdentifyBody = Type.Object(
  {
    phone: Type.Optional(Phone),
    email: Type.Optional(Email),
    programCode: Type.Optional(ProgramCode),
  },
  { additionalProperties: false, description: "Exactly one of phone and email" },
);

export const ClientParams = Type.Object({ clientId: Type.String({ pattern: "^[1-9][0-9]{0,14}$" }) });

export const AttachCardBody = Type.Object(
  {
    cardNumber: Type.Optional(CardNumber),
    virtual: Type.Optional(
      Type.Literal(true, { description: "Issue a random virtual card from the program's range" }),
    ),
    programCode: Type.Optional(ProgramCode),
  },
  {
    additionalProperties: false,
    description: "Either cardNumber (a free card of the program) or virtual: true",
  },
);

export const CardsQuery = Type.Object({ number: CardNumber }, { additionalProperties: false });

export const ReplaceCardBody = Type.Object(
  {
    newNumber: Type.Optional(Nullable(CardNumber)),
  },
  {
    additionalProperties: false,
    description: "A free, unused card of the same program; without it a virtual card is issued",
  },
);

export const ReplacementView = Type.Object({
  oldNumber: Type.String(),
  newNumber: Type.String(),
  movedActive: Type.Integer({ description: "Active points moved, hundredths" }),
  movedPending: Type.Integer({ description: "Pending points moved, hundredths" }),
});
