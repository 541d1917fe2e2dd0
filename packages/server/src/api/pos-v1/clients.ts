import {
  AttachCardBody,
  CardList,
  ClientParams,
  ClientView,
  CodeBody,
  ConfirmationParams,
  ConfirmationView,
  errorResponses,
  IdentificationResult,
  IdentifyBody,
  RegisterClientBody,
  RegistrationResult,
} from "@kopilka/contract";
import { DomainError } from "../../kernel/errors.js";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

const tags = ["clients"];

export function clientRoutes(app: Api, { clients }: PosServices): void {
  app.post(
    "/v1/clients",
    {
      schema: {
        tags,
        summary:
          "Register a client. Without confirmation the client is created at once; otherwise a code is sent and the client is created when it is entered",
        body: RegisterClientBody,
        response: { 200: RegistrationResult, ...errorResponses(401, 404, 409, 422, 429, 502, 503) },
      },
    },
    async (request) => clients.register(principalOf(request), request.body),
  );

  app.post(
    "/v1/clients/registrations/:confirmationId/confirm",
    {
      schema: {
        tags,
        summary:
          "Enter the registration code: the client is created, confirmed (a retry answers the same client)",
        params: ConfirmationParams,
        body: CodeBody,
        response: { 200: RegistrationResult, ...errorResponses(401, 404, 409, 410, 422) },
      },
    },
    async (request) =>
      clients.confirmRegistration(principalOf(request), request.params.confirmationId, request.body.code),
  );

  app.post(
    "/v1/confirmations/:confirmationId/resend",
    {
      schema: {
        tags,
        summary: "Send a new code for a registration or an identification (cooldown and daily limits apply)",
        params: ConfirmationParams,
        response: { 200: ConfirmationView, ...errorResponses(401, 404, 429, 502, 503) },
      },
    },
    async (request) => clients.resendCode(principalOf(request), request.params.confirmationId),
  );

  app.post(
    "/v1/identifications",
    {
      schema: {
        tags,
        summary:
          "Identify a client by phone or e-mail, step 1: the cards (no confirmation), or a confirmation id while a code is sent",
        body: IdentifyBody,
        response: { 200: IdentificationResult, ...errorResponses(401, 404, 429, 502, 503) },
      },
    },
    async (request) => clients.identify(principalOf(request), request.body),
  );

  app.post(
    "/v1/identifications/:confirmationId/confirm",
    {
      schema: {
        tags,
        summary: "Identify a client, step 2: the code entered, the client's cards",
        params: ConfirmationParams,
        body: CodeBody,
        response: { 200: IdentificationResult, ...errorResponses(401, 404, 409, 410, 422) },
      },
    },
    async (request) =>
      clients.confirmIdentification(principalOf(request), request.params.confirmationId, request.body.code),
  );

  app.get(
    "/v1/clients/:clientId",
    {
      schema: {
        tags,
        summary: "A client by id (the id a card carries); phone and e-mail masked",
        params: ClientParams,
        response: { 200: ClientView, ...errorResponses(401, 404) },
      },
    },
    async (request) => clients.view(principalOf(request).partnerId, Number(request.params.clientId)),
  );

  app.get(
    "/v1/clients/:clientId/cards",
    {
      schema: {
        tags,
        summary: "The client's cards with balances",
        params: ClientParams,
        response: { 200: CardList, ...errorResponses(401, 404) },
      },
    },
    async (request) => ({
      cards: await clients.cards(principalOf(request).partnerId, Number(request.params.clientId)),
    }),
  );

  app.post(
    "/v1/clients/:clientId/cards",
    {
      schema: {
        tags,
        summary:
          "Attach a free card of the program, or (virtual: true) a random virtual card from the program's range; answers the client's cards",
        params: ClientParams,
        body: AttachCardBody,
        response: { 200: CardList, ...errorResponses(401, 404, 409, 422) },
      },
    },
    async (request) => {
      const { cardNumber, virtual, programCode } = request.body;
      if ((cardNumber === undefined) === (virtual === undefined)) {
        throw new DomainError("VALIDATION_FAILED", "give either cardNumber or virtual: true", {
          field: "cardNumber",
          reason: "exactly one of cardNumber and virtual",
        });
      }
      const attach =
        cardNumber !== undefined
          ? { cardNumber }
          : { virtual: true as const, ...(programCode !== undefined ? { programCode } : {}) };
      return {
        cards: await clients.attachCard(principalOf(request), Number(request.params.clientId), attach),
      };
    },
  );
}
