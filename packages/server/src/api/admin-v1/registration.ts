import {
  errorResponses,
  RegistrationParams,
  RegistrationSettingsUpdate,
  RegistrationSettingsView,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: programs"];

/** A program's registration settings are program configuration: marketers and owners change them. */
export function registrationRoutes(app: Api, { desk }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/programs/:programCode/registration",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminGetRegistrationSettings",
        summary: "A program's registration settings (its owner and participants)",
        params: RegistrationParams,
        response: { 200: RegistrationSettingsView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => desk.getRegistration(partnerOf(request), request.params.programCode),
  );

  app.patch(
    "/partners/:partnerCode/programs/:programCode/registration",
    {
      config: { permission: "programs.write" },
      schema: {
        tags,
        operationId: "adminUpdateRegistrationSettings",
        summary:
          "Change the login, the confirmation method, card attachment at registration or the virtual card range (the owner)",
        params: RegistrationParams,
        body: RegistrationSettingsUpdate,
        response: { 200: RegistrationSettingsView, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) =>
      desk.updateRegistration(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.body,
      ),
  );
}
