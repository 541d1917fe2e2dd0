import {
  AdminClientDetail,
  AdminClientParams,
  AdminClientView,
  ClientExport,
  ClientListQuery,
  ClientMergeBody,
  ClientMergeView,
  ClientUpdate,
  errorResponses,
  PageOf,
  PartnerCodeParams,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf, revealsContacts } from "./context.js";
import { pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: clients"];

export function clientRoutes(app: Api, { desk }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/clients",
    {
      config: { permission: "clients.read" },
      schema: {
        tags,
        operationId: "adminListClients",
        summary: "List clients: by a part of the name (q), or exactly by phone or e-mail",
        description:
          "Contact search is exact: `phone` (any spelling, normalized) or `email` finds the clients with exactly that contact, through its keyed hash; a part of a number or an address finds nothing. Phone and e-mail are masked for analysts.",
        params: PartnerCodeParams,
        querystring: ClientListQuery,
        response: { 200: PageOf(AdminClientView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { q, status, phone, email } = request.query;
      return desk.listClients(
        partnerOf(request),
        { q, status, phone, email },
        pageQuery(request.query, "id"),
        revealsContacts(request),
      );
    },
  );

  app.get(
    "/partners/:partnerCode/clients/:clientId",
    {
      config: { permission: "clients.read" },
      schema: {
        tags,
        operationId: "adminGetClient",
        summary: "One client with their cards (contacts masked for analysts)",
        params: AdminClientParams,
        response: { 200: AdminClientDetail, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      desk.getClient(partnerOf(request), Number(request.params.clientId), revealsContacts(request)),
  );

  app.patch(
    "/partners/:partnerCode/clients/:clientId",
    {
      config: { permission: "clients.write" },
      schema: {
        tags,
        operationId: "adminUpdateClient",
        summary: "Change a client's name, contacts, birth date or consents",
        params: AdminClientParams,
        body: ClientUpdate,
        response: { 200: AdminClientView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) =>
      desk.editClient(
        adminOf(request).actor,
        partnerOf(request),
        Number(request.params.clientId),
        request.body,
        revealsContacts(request),
      ),
  );

  app.post(
    "/partners/:partnerCode/clients/:clientId/merge",
    {
      config: { permission: "clients.write" },
      schema: {
        tags,
        operationId: "adminMergeClients",
        summary:
          "Merge a duplicate into this client: this one survives, the duplicate's cards and history move",
        params: AdminClientParams,
        body: ClientMergeBody,
        response: { 200: ClientMergeView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      desk.mergeClients(
        adminOf(request).actor,
        partnerOf(request),
        Number(request.params.clientId),
        request.body.duplicateId,
        revealsContacts(request),
      ),
  );

  app.post(
    "/partners/:partnerCode/clients/:clientId/export",
    {
      config: { permission: "clients.write" },
      schema: {
        tags,
        operationId: "adminExportClient",
        summary: "Everything stored about the client, in clear, as JSON (a subject access request; audited)",
        params: AdminClientParams,
        response: { 200: ClientExport, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      desk.exportClient(adminOf(request).actor, partnerOf(request), Number(request.params.clientId)),
  );

  app.post(
    "/partners/:partnerCode/clients/:clientId/erase",
    {
      config: { permission: "clients.write" },
      schema: {
        tags,
        operationId: "adminEraseClient",
        summary:
          "Erase the person on request (152-FZ): name, contacts, birth date and consents go; cards, purchases and ledger stay",
        params: AdminClientParams,
        response: { 200: AdminClientView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      desk.eraseClient(adminOf(request).actor, partnerOf(request), Number(request.params.clientId)),
  );
}
