/** Schemas of the cabinet's clients: list, view, edit, merge, export, erase. */
import { Type } from "typebox";
import { CardSummaryView, ClientView, Consents } from "../pos-v1/clients.js";
import { Nullable } from "../schema-helpers.js";
import { AdminText, ListQuery, PartnerParams } from "./common.js";

export const ClientIdParam = Type.String({ pattern: "^[1-9][0-9]{0,14}$" });
export const AdminClientParams = PartnerParams({ clientId: ClientIdParam });

const ContactNote =
  "Exact search only: contacts are stored as a keyed hash and encrypted, so a part of a phone or an address finds nothing";

export const ClientListQuery = ListQuery(["id", "createdAt"], {
  q: Type.Optional(AdminText(1, 100)),
  status: Type.Optional(
    Type.Union([
      Type.Literal("registered"),
      Type.Literal("confirmed"),
      Type.Literal("merged"),
      Type.Literal("anonymised"),
    ]),
  ),
  phone: Type.Optional(
    Type.String({ minLength: 1, maxLength: 32, description: `Any spelling. ${ContactNote}` }),
  ),
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, description: ContactNote })),
});

export const AdminClientView = Type.Object(
  { ...ClientView.properties },
  {
    description:
      "Phone and e-mail in clear for owners, operators and platform administrators; masked for analysts",
  },
);

export const AdminClientDetail = Type.Object({
  ...ClientView.properties,
  cards: Type.Array(CardSummaryView),
});

export const ClientUpdate = Type.Object(
  {
    name: Type.Optional(Nullable(AdminText(1, 200))),
    phone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 32 }))),
    email: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 254 }))),
    birthDate: Type.Optional(Nullable(Type.String({ format: "date" }))),
    consents: Type.Optional(Consents),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ClientMergeBody = Type.Object(
  {
    duplicateId: Type.Integer({
      minimum: 1,
      description:
        "The duplicate: its cards (with their balances and history) move to the client in the path, which survives; contacts the survivor lacks are taken over; the duplicate stays as an empty record (status merged)",
    }),
  },
  { additionalProperties: false },
);

export const ClientMergeView = Type.Object({
  client: AdminClientDetail,
  mergedClientId: Type.Integer(),
  cardsMoved: Type.Integer(),
});

export const ClientExport = Type.Object(
  {
    exportedAt: Type.String({ format: "date-time" }),
    client: ClientView,
    cards: Type.Array(Type.Unknown()),
  },
  { description: "Everything stored about the client, in clear, with each card's ledger" },
);
