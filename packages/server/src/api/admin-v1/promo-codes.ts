import { Readable } from "node:stream";
import {
  AdminCode,
  errorResponses,
  PartnerParams,
  PromoBatchCreate,
  PromoBatchCreated,
  PromoBatchList,
  PromoBatchView,
  PromoCodeCreate,
  PromoCodeDetail,
  PromoCodeListQuery,
  PromoCodePage,
  PromoCodeText,
  PromoCodeView,
} from "@kopilka/contract";
import { Type } from "typebox";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import { pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: promo codes"];
const ProgramParams = PartnerParams({ programCode: AdminCode });
const CodeParams = PartnerParams({ programCode: AdminCode, promoCode: PromoCodeText });
const BatchParams = PartnerParams({ programCode: AdminCode, batchCode: AdminCode });
const BASE = "/partners/:partnerCode/programs/:programCode/promo-codes";
const BATCHES = "/partners/:partnerCode/programs/:programCode/promo-code-batches";

/** Promo codes of a program: marketers and owners write, every role that reads programs reads. */
export function promoCodeRoutes(app: Api, { promoCodes }: AdminServices): void {
  app.post(
    BASE,
    {
      config: { permission: "promo-codes.write" },
      schema: {
        tags,
        operationId: "adminCreatePromoCode",
        summary: "Create one promo code (single use with maxUses 1; unlimited without maxUses)",
        params: ProgramParams,
        body: PromoCodeCreate,
        response: { 200: PromoCodeView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) =>
      promoCodes.create(adminOf(request).actor, partnerOf(request), request.params.programCode, request.body),
  );

  app.get(
    BASE,
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListPromoCodes",
        summary: "The program's promo codes, by keyset pages; q finds codes by their beginning",
        params: ProgramParams,
        querystring: PromoCodeListQuery,
        response: { 200: PromoCodePage, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { q, batch, campaign, state, cardNumber } = request.query;
      return promoCodes.list(
        partnerOf(request),
        request.params.programCode,
        {
          ...(q !== undefined ? { q } : {}),
          ...(batch !== undefined ? { batch } : {}),
          ...(campaign !== undefined ? { campaign } : {}),
          ...(state !== undefined ? { state } : {}),
          ...(cardNumber !== undefined ? { cardNumber } : {}),
        },
        pageQuery(request.query, "code"),
      );
    },
  );

  app.post(
    BATCHES,
    {
      config: { permission: "promo-codes.write" },
      schema: {
        tags,
        operationId: "adminCreatePromoBatch",
        summary:
          "Generate a batch of unique random codes (up to 100,000, single use unless maxUses says otherwise); the same request again answers the same batch",
        params: ProgramParams,
        body: PromoBatchCreate,
        response: { 200: PromoBatchCreated, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      promoCodes.createBatch(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.body,
      ),
  );

  app.get(
    BATCHES,
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListPromoBatches",
        summary: "The program's batches of promo codes, newest first",
        params: ProgramParams,
        response: { 200: PromoBatchList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => promoCodes.listBatches(partnerOf(request), request.params.programCode),
  );

  app.get(
    `${BATCHES}/:batchCode`,
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminGetPromoBatch",
        summary: "A batch of promo codes",
        params: BatchParams,
        response: { 200: PromoBatchView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      promoCodes.getBatch(partnerOf(request), request.params.programCode, request.params.batchCode),
  );

  app.get(
    `${BATCHES}/:batchCode/codes.csv`,
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminDownloadPromoBatch",
        summary: "The batch's codes as CSV (streamed): code, validity, uses, disabled",
        params: BatchParams,
        produces: ["text/csv"],
        response: {
          200: Type.String({ description: "CSV with a header line" }),
          ...errorResponses(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { programCode, batchCode } = request.params;
      const lines = promoCodes.batchCsv(partnerOf(request), programCode, batchCode);
      // The first chunk is read before answering, so an unknown batch is a 404, not a broken stream.
      const first = await lines.next();
      const stream = Readable.from(
        (async function* () {
          if (!first.done) yield first.value;
          yield* lines;
        })(),
      );
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${programCode}-${batchCode}.csv"`)
        .send(stream as never);
    },
  );

  app.get(
    `${BASE}/:promoCode`,
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminGetPromoCode",
        summary: "A promo code with its latest uses (reserved, consumed, released)",
        params: CodeParams,
        response: { 200: PromoCodeDetail, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      promoCodes.get(partnerOf(request), request.params.programCode, request.params.promoCode),
  );

  app.post(
    `${BASE}/:promoCode/disable`,
    {
      config: { permission: "promo-codes.write" },
      schema: {
        tags,
        operationId: "adminDisablePromoCode",
        summary: "Disable a promo code: no new reservations; purchases already priced with it keep it",
        params: CodeParams,
        response: { 200: PromoCodeView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      promoCodes.disable(
        adminOf(request).actor,
        partnerOf(request),
        request.params.programCode,
        request.params.promoCode,
      ),
  );
}
