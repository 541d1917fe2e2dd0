import {
  AdminCode,
  AdminProgramList,
  Done,
  errorResponses,
  ParticipantAdd,
  ParticipantList,
  ParticipantView,
  PartnerCodeParams,
  PartnerParams,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: programs"];
const ProgramParams = PartnerParams({ programCode: AdminCode });
const ParticipantParams = PartnerParams({ programCode: AdminCode, participantCode: AdminCode });

export function programRoutes(app: Api, { admin }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/programs",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListPrograms",
        summary: "Programs the partner owns and those offered to it, with the relation",
        params: PartnerCodeParams,
        response: { 200: AdminProgramList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.listPrograms(partnerOf(request)),
  );

  app.get(
    "/partners/:partnerCode/programs/:programCode/participants",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListParticipants",
        summary: "Partners the program is offered to (the owner's view)",
        params: ProgramParams,
        response: { 200: ParticipantList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.listParticipants(partnerOf(request), request.params.programCode),
  );

  app.post(
    "/partners/:partnerCode/programs/:programCode/participants",
    {
      config: { permission: "participants.write" },
      schema: {
        tags,
        operationId: "adminAddParticipant",
        summary: "Offer the program to another partner (owners); adding it again changes nothing",
        params: ProgramParams,
        body: ParticipantAdd,
        response: { 200: ParticipantView, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) =>
      admin.addParticipant(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.body.partnerCode,
      ),
  );

  app.delete(
    "/partners/:partnerCode/programs/:programCode/participants/:participantCode",
    {
      config: { permission: "participants.write" },
      schema: {
        tags,
        operationId: "adminRemoveParticipant",
        summary: "Stop offering the program to a partner (owners)",
        params: ParticipantParams,
        response: { 200: Done, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      admin.removeParticipant(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.params.participantCode,
      ),
  );
}
