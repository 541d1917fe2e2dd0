import { Type } from "typebox";
import type { Clock } from "../../app/context.js";
import { ApiError, errorResponses } from "../../http/errors.js";
import { type Api, principalOf } from "../../http/types.js";
import type { Database } from "../../infra/db/database.js";
import { Balance } from "../purchases/schemas.js";
import { requireUnboundCredential } from "../stores/access.js";
import { CARD_STATUSES, findCard, readBalance, upsertCards } from "./cards.js";

const CardNumber = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9-]+$" });
const Status = Type.Union(CARD_STATUSES.map((s) => Type.Literal(s)));

const CardView = Type.Object({
  number: Type.String(),
  programCode: Type.String(),
  status: Type.String(),
  level: Type.Union([Type.String(), Type.Null()]),
  virtual: Type.Boolean(),
  balance: Balance,
});

const CardBatch = Type.Object(
  {
    programCode: Type.String({ minLength: 1, maxLength: 64 }),
    items: Type.Array(
      Type.Object(
        {
          number: CardNumber,
          status: Type.Optional(Status),
          level: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
          virtual: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

const LedgerQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,3}$", description: "1 to 500, default 50" })) },
  { additionalProperties: false },
);

const tags = ["cards"];

export function cardRoutes(app: Api, database: Database, clock: Clock): void {
  const cardOf = async (partnerId: number, number: string) => {
    const card = await findCard(database.db, partnerId, number);
    if (!card) throw new ApiError("CARD_NOT_FOUND", "no such card", { field: "number" });
    return card;
  };

  app.get(
    "/v1/cards/:number",
    {
      schema: {
        tags,
        summary: "Find a card by its number or barcode: status, level, balance",
        params: Type.Object({ number: CardNumber }),
        response: { 200: CardView, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const card = await cardOf(principalOf(request).partnerId, request.params.number);
      const program = await database.db
        .selectFrom("programs")
        .select("code")
        .where("id", "=", card.programId)
        .executeTakeFirstOrThrow();
      return {
        number: card.number,
        programCode: program.code,
        status: card.status,
        level: card.level,
        virtual: card.virtual,
        balance: await readBalance(database.db, card.id),
      };
    },
  );

  app.get(
    "/v1/cards/:number/ledger",
    {
      schema: {
        tags,
        summary: "The card's points ledger, newest first",
        params: Type.Object({ number: CardNumber }),
        querystring: LedgerQuery,
        response: {
          200: Type.Object({
            entries: Type.Array(
              Type.Object({
                kind: Type.String(),
                activeDelta: Type.Integer(),
                pendingDelta: Type.Integer(),
                purchaseId: Type.Union([Type.String(), Type.Null()]),
                note: Type.Union([Type.String(), Type.Null()]),
                at: Type.String({ format: "date-time" }),
              }),
            ),
          }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request) => {
      const card = await cardOf(principalOf(request).partnerId, request.params.number);
      const limit = Math.min(500, Math.max(1, Number(request.query.limit ?? 50)));
      const rows = await database.db
        .selectFrom("ledger_entries as e")
        .leftJoin("purchases as p", "p.id", "e.purchase_id")
        .select(["e.kind", "e.active_delta", "e.pending_delta", "p.external_id", "e.note", "e.created_at"])
        .where("e.account_id", "=", card.id)
        .orderBy("e.id", "desc")
        .limit(limit)
        .execute();
      return {
        entries: rows.map((r) => ({
          kind: r.kind,
          activeDelta: r.active_delta,
          pendingDelta: r.pending_delta,
          purchaseId: r.external_id,
          note: r.note,
          at: new Date(r.created_at).toISOString(),
        })),
      };
    },
  );

  app.put(
    "/v1/cards",
    {
      schema: {
        tags,
        summary: "Upload a batch of cards (create new, update status and level of known ones)",
        body: CardBatch,
        response: {
          200: Type.Object({ created: Type.Integer(), updated: Type.Integer() }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireUnboundCredential(principal);
      const { programCode, items } = request.body;
      const program = await database.db
        .selectFrom("programs")
        .select("id")
        .where("partner_id", "=", principal.partnerId)
        .where("code", "=", programCode)
        .executeTakeFirst();
      if (!program)
        throw new ApiError("PROGRAM_NOT_FOUND", `no program ${programCode}`, { field: "programCode" });
      const seen = new Set<string>();
      items.forEach((c, i) => {
        if (seen.has(c.number))
          throw new ApiError("DUPLICATE_ITEM", `card ${c.number} is listed twice`, {
            field: `items[${i}].number`,
          });
        seen.add(c.number);
      });
      return upsertCards(database, principal.partnerId, program.id, items, clock.now());
    },
  );
}
