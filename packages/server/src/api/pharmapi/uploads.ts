/**
 * The PharmApi upload methods: `update_pharmacies`, `pl`, `update_prices`, `sellout`. The transport
 * authenticates and calls one of these with the raw request; the body is read here, from `request.raw`, as
 * it arrives (a pharmacy's whole stock is about 15 MB for 100k rows), with a byte limit of its own.
 *
 * Answers are the protocol's:
 * - a body that is not JSON, or a field of the wrong JSON type: HTTP 400, `text/plain`,
 *   `Ошибка при чтении JSON: …` (the reference server's check 5);
 * - a body that parses but fails validation, or names an unknown pharmacy: HTTP 200 with the envelope
 *   `status: "error"`, `error_code: 400`, a Russian `message` naming the row and field;
 * - `pl` answers `text/plain` only, and its HTTP status alone tells success (200) from failure (400).
 * Nothing is written unless the whole body is valid; each call is one transaction.
 */

import { Busboy, type BusboyHeaders } from "@fastify/busboy";
import { type DecimalRefusal, kopecksOf, rublesText, thousandthsOf } from "@kopilka/contract";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { FastifyRequest } from "fastify";
import iconv from "iconv-lite";
import type { Services } from "../../app/services.js";
import { parseOffsetDateTime, productCodeOf, sumToPayMatches } from "../../core/pharmacy-data.js";
import { DomainError } from "../../kernel/errors.js";
import type { SelloutLine } from "../../modules/sellout/index.js";
import type { StockRow, StoreStock } from "../../modules/stock/index.js";
import type { PharmacyCard, PharmacyUpdateMode } from "../../modules/stores/index.js";
import {
  JsonNumber,
  type JsonObject,
  JsonSyntaxError,
  type JsonValue,
  jsonTypeOf,
  parseJsonStream,
} from "../http/json-stream.js";
import { BodyTooLargeError, bodyBytes, collectBytes, utf8Text } from "../http/upload-body.js";

export type PharmApiUploadMethod = (
  caller: { partnerId: number; partnerCode: string },
  request: FastifyRequest,
  services: Services,
) => Promise<{
  body: unknown;
  contentType?: string;
  /** Absent: 200. The transport sends this status when given (unreadable JSON, a refused `pl`). */
  statusCode?: number;
}>;

/** The body limit of the upload paths (the transport sets the same `bodyLimit` on their routes). */
export const PHARMAPI_UPLOAD_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** The protocol's envelope code of a request that parses but fails validation (the SDK's). */
const VALIDATION_ERROR_CODE = 400;
const TEXT_PLAIN = "text/plain; charset=utf-8";

type Answer = Awaited<ReturnType<PharmApiUploadMethod>>;

/** A request that cannot be read as the method's JSON (syntax, or a field's JSON type). */
class UnreadableBody extends Error {}
/** A request that reads but breaks a rule of the protocol. */
class InvalidRequest extends Error {}

const success = (message: string): Answer => ({
  body: { status: "success", error_code: 0, message },
});
const refusal = (message: string): Answer => ({
  body: { status: "error", error_code: VALIDATION_ERROR_CODE, message },
});
const unreadable = (message: string): Answer => ({
  statusCode: 400,
  contentType: TEXT_PLAIN,
  body: `Ошибка при чтении JSON: ${message}`,
});

// ---------------------------------------------------------------------------------------------------
// Field readers: a wrong JSON type makes the body unreadable; a bad value of the right type is invalid.

/** C0 controls but tab and line breaks, and DEL, as the input guard of the other routes refuses them. */
function hasControlCharacters(value: string, allowGs: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x09 || c === 0x0a || c === 0x0d || (allowGs && c === 0x1d)) continue;
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
/** Pharmacy and POS codes: the protocol's letters, digits and hyphen, plus `_` and `.` seen in the field. */
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DIGITS = /^[0-9]+$/;

interface TextRule {
  required?: boolean;
  max: number;
  pattern?: RegExp;
  patternText?: string;
  /** qr_code carries GS separators by design. */
  allowGs?: boolean;
  /** Between the row and the key in messages: "." for JSON, "/" for the pl XML. */
  separator?: string;
  /** The whole field name in messages, when it is not row + separator + key. */
  label?: string;
}

/**
 * The field's name for a message. Built only when a value is refused: with 100k rows, names built for
 * every field of every row cost more than the checks.
 */
function fieldName(at: string, key: string, rule: { separator?: string; label?: string }): string {
  return rule.label ?? `${at}${rule.separator ?? "."}${key}`;
}

function text(obj: JsonObject, key: string, at: string, rule: TextRule): string | null {
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (value === undefined || value === null || value === "") {
    if (rule.required)
      throw new InvalidRequest(`Значение поля ${fieldName(at, key, rule)} должно быть указано.`);
    return null;
  }
  if (typeof value !== "string") {
    throw new UnreadableBody(
      `поле ${fieldName(at, key, rule)}: ожидается строка, передано ${jsonTypeOf(value)}`,
    );
  }
  if (hasControlCharacters(value, rule.allowGs ?? false)) {
    throw new InvalidRequest(`Значение поля ${fieldName(at, key, rule)} содержит управляющие символы.`);
  }
  if (value.trim() === "") {
    if (rule.required)
      throw new InvalidRequest(`Значение поля ${fieldName(at, key, rule)} должно быть указано.`);
    return null;
  }
  if (value.length > rule.max) {
    throw new InvalidRequest(`Значение поля ${fieldName(at, key, rule)} длиннее ${rule.max} символов.`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw new InvalidRequest(
      `Недопустимое значение ${fieldName(at, key, rule)}: ${rule.patternText ?? "неверный формат"}.`,
    );
  }
  return value;
}

function requiredText(obj: JsonObject, key: string, at: string, rule: TextRule): string {
  const value = text(obj, key, at, rule);
  if (value === null)
    throw new InvalidRequest(`Значение поля ${fieldName(at, key, rule)} должно быть указано.`);
  return value;
}

const DECIMAL_REFUSALS: Record<DecimalRefusal, (path: string, places: number) => string> = {
  not_a_number: (path) => `Значение поля ${path} должно быть числом.`,
  too_many_decimals: (path, places) =>
    `Значение поля ${path} должно иметь не более ${places === 2 ? "двух" : "трёх"} знаков после запятой.`,
  negative: (path) => `Значение поля ${path} не может быть менее нуля.`,
  too_large: (path) => `Значение поля ${path} слишком велико.`,
};

function decimal(obj: JsonObject, key: string, at: string, places: 2 | 3): number {
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (value === undefined || value === null) {
    throw new InvalidRequest(`Значение поля ${at}.${key} должно быть указано.`);
  }
  if (!(value instanceof JsonNumber)) {
    throw new UnreadableBody(`поле ${at}.${key}: ожидается число, передано ${jsonTypeOf(value)}`);
  }
  const scaled = places === 2 ? kopecksOf(value.text) : thousandthsOf(value.text);
  if (!scaled.ok) throw new InvalidRequest(DECIMAL_REFUSALS[scaled.refusal](`${at}.${key}`, places));
  return scaled.value;
}

function flag(obj: JsonObject, key: string, at: string): boolean {
  const value = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    throw new UnreadableBody(`поле ${at}.${key}: ожидается true или false, передано ${jsonTypeOf(value)}`);
  }
  return value;
}

function objectItem(item: JsonValue, path: string, list: string): JsonObject {
  if (item === null) throw new InvalidRequest(`Поле ${list} не должно содержать пустые (null) элементы.`);
  if (typeof item !== "object" || Array.isArray(item) || item instanceof JsonNumber) {
    throw new UnreadableBody(`элемент ${path}: ожидается объект, передано ${jsonTypeOf(item)}`);
  }
  return item;
}

// ---------------------------------------------------------------------------------------------------
// Reading the body

function maybeEncoded(request: FastifyRequest): boolean {
  return /^\/api\/v[0-9.]+-encoded\//.test(request.url);
}

/** The body as the transport left it: the raw stream, or what a parser already read. */
function bodySource(request: FastifyRequest): AsyncIterable<Buffer | string> {
  const body = request.body;
  if (typeof body === "string" || Buffer.isBuffer(body)) return once(body);
  if (body !== undefined && body !== null) return once(JSON.stringify(body));
  return request.raw;
}

async function* once(value: Buffer | string): AsyncGenerator<Buffer | string> {
  yield value;
}

interface StreamedBody {
  root: JsonValue;
  /** Items seen per streamed key. */
  counts: Map<string, number>;
}

/**
 * Streams the JSON body, handing each item of the streamed arrays to `onItem`. The first invalid item is
 * remembered and the rest of the body is still read (a syntax error later wins, as the reference server
 * parses before it validates); no item is handed over after it.
 */
async function readJsonBody(
  request: FastifyRequest,
  streamed: readonly string[],
  onItem: (key: string, item: JsonValue, index: number) => void,
): Promise<{ body: StreamedBody } | { answer: Answer }> {
  const counts = new Map<string, number>();
  let invalid: InvalidRequest | UnreadableBody | null = null;
  try {
    const root = await parseJsonStream(
      utf8Text(
        bodyBytes(bodySource(request), {
          limitBytes: PHARMAPI_UPLOAD_BODY_LIMIT_BYTES,
          maybeEncoded: maybeEncoded(request),
        }),
      ),
      {
        streamed: new Set(streamed),
        onItem(key, item, index) {
          counts.set(key, index + 1);
          if (invalid) return;
          try {
            onItem(key, item, index);
          } catch (error) {
            if (error instanceof InvalidRequest || error instanceof UnreadableBody) invalid = error;
            else throw error;
          }
        },
      },
    );
    if (invalid) throw invalid;
    return { body: { root, counts } };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { answer: unreadable(error.message) };
    if (error instanceof UnreadableBody) return { answer: unreadable(error.message) };
    if (error instanceof InvalidRequest) return { answer: refusal(error.message) };
    if (error instanceof BodyTooLargeError) {
      return { answer: { statusCode: 413, contentType: TEXT_PLAIN, body: "Слишком большой запрос." } };
    }
    throw error;
  }
}

function rootObject(root: JsonValue): JsonObject {
  if (root === null || typeof root !== "object" || Array.isArray(root) || root instanceof JsonNumber) {
    throw new UnreadableBody(`ожидается объект, передано ${jsonTypeOf(root)}`);
  }
  return root;
}

/** A streamed list must have come as a non-empty array. */
function requireList(body: StreamedBody, key: string): void {
  const root = rootObject(body.root);
  const value = Object.hasOwn(root, key) ? root[key] : undefined;
  if (value === undefined || value === null)
    throw new InvalidRequest(`Значение поля ${key} должно быть указано.`);
  if (!Array.isArray(value)) {
    throw new UnreadableBody(`поле ${key}: ожидается массив, передано ${jsonTypeOf(value)}`);
  }
  if ((body.counts.get(key) ?? 0) === 0) {
    throw new InvalidRequest(`Поле ${key} не может быть пустым, должно содержать элементы.`);
  }
}

/** Runs the checks after the stream and the service call, mapping failures to the protocol's answers. */
async function settle(work: () => Promise<string>): Promise<Answer> {
  try {
    return success(await work());
  } catch (error) {
    if (error instanceof UnreadableBody) return unreadable(error.message);
    if (error instanceof InvalidRequest) return refusal(error.message);
    if (error instanceof DomainError && error.code !== "DATABASE_UNAVAILABLE") {
      return refusal(domainMessage(error));
    }
    throw error;
  }
}

function domainMessage(error: DomainError): string {
  const details = error.details as Record<string, unknown>;
  const field = typeof details.field === "string" ? details.field : null;
  switch (error.code) {
    case "STORE_NOT_FOUND":
      return `Аптека ${String(details.storeCode ?? "")} не найдена${field ? ` (${field})` : ""}: сначала передайте её методом update_pharmacies или pl.`;
    case "DUPLICATE_ITEM":
      return `Строка ${field ?? ""} повторяет уже переданную${details.first ? ` (${String(details.first)})` : ""}.`;
    default:
      return `Запрос отклонён: ${error.message}${field ? ` (${field})` : ""}.`;
  }
}

// ---------------------------------------------------------------------------------------------------
// update_pharmacies and pl

const PHARMACY_TEXT_FIELDS = [
  ["brand", "brand"],
  ["legal_entity", "legalEntity"],
  ["inn", "inn"],
  ["region", "region"],
  ["city", "city"],
  ["gps", "gps"],
  ["work_time", "workTime"],
  ["phones", "phones"],
] as const;

function pharmacyFromJson(item: JsonValue, index: number): PharmacyCard {
  const path = `pharmacies[${index}]`;
  const obj = objectItem(item, path, "pharmacies");
  const card: PharmacyCard = {
    code: requiredText(obj, "id", path, {
      max: 64,
      pattern: CODE,
      patternText: "разрешены только цифры, латинские буквы, дефис, точка и подчёркивание",
    }),
    address: requiredText(obj, "address", path, { max: 1000 }),
    disabled: flag(obj, "disabled", path),
    hidden: flag(obj, "hidden", path),
    posIds: posIdsFromJson(obj, path),
  };
  for (const [jsonKey, cardKey] of PHARMACY_TEXT_FIELDS) {
    card[cardKey] = text(obj, jsonKey, path, { max: 1000 });
  }
  return card;
}

function posIdsFromJson(obj: JsonObject, at: string): string[] {
  const path = `${at}.pos_ids`;
  const value = Object.hasOwn(obj, "pos_ids") ? obj.pos_ids : undefined;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new UnreadableBody(`поле ${path}: ожидается массив, передано ${jsonTypeOf(value)}`);
  return value.map((posId, i) => {
    const holder: JsonObject = { pos_id: posId };
    return requiredText(holder, "pos_id", path, {
      label: `${path}[${i}]`,
      max: 50,
      pattern: CODE,
      patternText: "разрешены только цифры, латинские буквы и дефис",
    });
  });
}

const updatePharmacies: PharmApiUploadMethod = async (caller, request, services) => {
  const cards: PharmacyCard[] = [];
  const read = await readJsonBody(request, ["pharmacies"], (_key, item, index) => {
    cards.push(pharmacyFromJson(item, index));
  });
  if ("answer" in read) return read.answer;
  return settle(async () => {
    const root = rootObject(read.body.root);
    const mode = text(root, "update_mode", "", { required: true, max: 16, label: "update_mode" });
    if (mode !== "merge" && mode !== "replace") {
      throw new InvalidRequest(
        "Поле update_mode не может содержать такое значение: ожидается merge или replace.",
      );
    }
    requireList(read.body, "pharmacies");
    const result = await services.pharmacies.apply(caller.partnerId, mode as PharmacyUpdateMode, cards);
    return `Список из ${result.pharmacies} ${pluralRu(result.pharmacies, "аптеки", "аптек", "аптек")} успешно принят`;
  });
};

const PL_FIELDS = [
  ["BRAND", "brand"],
  ["LEGALENTITY", "legalEntity"],
  ["INN", "inn"],
  ["REGION", "region"],
  ["CITY", "city"],
  ["GPS", "gps"],
  ["WORKTIME", "workTime"],
  ["PHONES", "phones"],
] as const;

const plText = (message: string, statusCode = 200): Answer => ({
  statusCode,
  contentType: TEXT_PLAIN,
  body: message,
});

const pl: PharmApiUploadMethod = async (caller, request, services) => {
  let bytes: Buffer;
  try {
    bytes = await plDocument(request);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return plText("Слишком большой файл.", 413);
    if (error instanceof InvalidRequest) return plText(error.message, 400);
    throw error;
  }
  let cards: PharmacyCard[];
  try {
    cards = pharmaciesFromXml(xmlText(bytes));
  } catch (error) {
    if (error instanceof InvalidRequest || error instanceof UnreadableBody) return plText(error.message, 400);
    throw error;
  }
  try {
    const result = await services.pharmacies.apply(caller.partnerId, "replace", cards);
    return plText(
      `Список из ${result.pharmacies} ${pluralRu(result.pharmacies, "аптеки", "аптек", "аптек")} успешно принят`,
    );
  } catch (error) {
    if (error instanceof DomainError && error.code !== "DATABASE_UNAVAILABLE") {
      return plText(domainMessage(error), 400);
    }
    throw error;
  }
};

/** The XML of a `pl` call: the first file of a multipart form, or the body itself. */
async function plDocument(request: FastifyRequest): Promise<Buffer> {
  const contentType = request.headers["content-type"] ?? "";
  if (!/^multipart\/form-data/i.test(contentType)) {
    const bytes = await collectBytes(
      bodyBytes(bodySource(request), {
        limitBytes: PHARMAPI_UPLOAD_BODY_LIMIT_BYTES,
        maybeEncoded: maybeEncoded(request),
      }),
    );
    if (bytes.length === 0) throw new InvalidRequest("Пустой запрос: передайте XML-файл со списком аптек.");
    return bytes;
  }
  return new Promise<Buffer>((resolve, reject) => {
    let parser: InstanceType<typeof Busboy>;
    try {
      parser = new Busboy({
        headers: request.headers as BusboyHeaders,
        limits: { fileSize: PHARMAPI_UPLOAD_BODY_LIMIT_BYTES, files: 1 },
      });
    } catch {
      reject(new InvalidRequest("Некорректный запрос multipart/form-data: нет границы (boundary)."));
      return;
    }
    let file: Promise<Buffer> | null = null;
    parser.on("file", (_field, stream) => {
      const chunks: Buffer[] = [];
      let tooLarge = false;
      stream.on("limit", () => {
        tooLarge = true;
      });
      file = new Promise<Buffer>((done, fail) => {
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("error", fail);
        stream.on("end", () =>
          tooLarge
            ? fail(new BodyTooLargeError(PHARMAPI_UPLOAD_BODY_LIMIT_BYTES))
            : done(Buffer.concat(chunks)),
        );
      });
    });
    parser.on("error", () => reject(new InvalidRequest("Некорректный запрос multipart/form-data.")));
    parser.on("finish", () => {
      if (!file) reject(new InvalidRequest("В запросе нет файла: приложите XML-файл со списком аптек."));
      else file.then(resolve, reject);
    });
    const source = bodySource(request);
    if (source === request.raw) request.raw.pipe(parser);
    else {
      (async () => {
        for await (const chunk of source) parser.write(chunk);
        parser.end();
      })().catch(reject);
    }
  });
}

/** The document's text in the encoding its declaration names (windows-1251 PL files exist). */
function xmlText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString("utf8");
  const head = bytes.subarray(0, 200).toString("latin1");
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  if (!declared || /^utf-?8$/i.test(declared)) return bytes.toString("utf8");
  if (!iconv.encodingExists(declared)) {
    throw new InvalidRequest(`Некорректный XML: неизвестная кодировка ${declared}.`);
  }
  return iconv.decode(bytes, declared);
}

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === "PHARMACY" || name === "POS",
});

function pharmaciesFromXml(xml: string): PharmacyCard[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new InvalidRequest(
      `Некорректный XML: ${valid.err.msg} (строка ${valid.err.line}, позиция ${valid.err.col}). Список аптек не изменён.`,
    );
  }
  const document = xmlParser.parse(xml) as Record<string, unknown>;
  const root = document.PHARMACIES;
  if (root === undefined || root === null || typeof root !== "object") {
    throw new InvalidRequest("Некорректный XML: нет корневого элемента PHARMACIES. Список аптек не изменён.");
  }
  const list = (root as Record<string, unknown>).PHARMACY;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidRequest("В файле нет ни одного элемента PHARMACY. Список аптек не изменён.");
  }
  return list.map((item, index) => pharmacyFromXml(item, index));
}

function pharmacyFromXml(item: unknown, index: number): PharmacyCard {
  const path = `PHARMACY[${index + 1}]`;
  const element = item !== null && typeof item === "object" ? (item as Record<string, unknown>) : {};
  const obj: JsonObject = Object.create(null);
  for (const [key, value] of Object.entries(element)) {
    if (typeof value === "string") obj[key] = value;
  }
  const card: PharmacyCard = {
    code: requiredText(obj, "CODE", path, {
      separator: "/",
      max: 64,
      pattern: CODE,
      patternText: "разрешены только цифры, латинские буквы, дефис, точка и подчёркивание",
    }),
    address: requiredText(obj, "ADDRESS", path, { separator: "/", max: 1000 }),
    disabled: xmlFlag(obj, "DISABLED", path),
    hidden: xmlFlag(obj, "HIDDEN", path),
    posIds: [],
  };
  for (const [tag, key] of PL_FIELDS) card[key] = text(obj, tag, path, { max: 1000, separator: "/" });
  const poses = element.POSES;
  const posList =
    poses !== null && typeof poses === "object" ? (poses as Record<string, unknown>).POS : undefined;
  if (Array.isArray(posList)) {
    card.posIds = posList.flatMap((pos, i) => {
      const code =
        pos !== null && typeof pos === "object" ? (pos as Record<string, unknown>).CODE : undefined;
      const holder: JsonObject = { CODE: typeof code === "string" ? code : null };
      const posId = text(holder, "CODE", path, {
        label: `${path}/POSES/POS[${i + 1}]/CODE`,
        max: 50,
        pattern: CODE,
        patternText: "разрешены только цифры, латинские буквы и дефис",
      });
      return posId === null ? [] : [posId];
    });
  }
  return card;
}

function xmlFlag(obj: JsonObject, tag: string, at: string): boolean {
  const path = `${at}/${tag}`;
  const value = text(obj, tag, at, { max: 5, separator: "/" });
  if (value === null) return false;
  const lower = value.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  throw new InvalidRequest(`Недопустимое значение ${path}: ожидается true или false.`);
}

// ---------------------------------------------------------------------------------------------------
// update_prices

const updatePrices: PharmApiUploadMethod = async (caller, request, services) => {
  const stocks = new Map<string, StoreStock & { keys: Map<string, number> }>();
  const read = await readJsonBody(request, ["prices"], (_key, item, index) => {
    const path = `prices[${index}]`;
    const obj = objectItem(item, path, "prices");
    const pharmacyId = requiredText(obj, "pharmacy_id", path, { max: 64 });
    const barcode = text(obj, "barcode", path, { max: 50 }) ?? "";
    const qrCode = text(obj, "qr_code", path, { max: 200, allowGs: true }) ?? "";
    if (barcode === "" && qrCode === "") {
      throw new InvalidRequest(`Строка ${path}: должен быть указан barcode или qr_code.`);
    }
    const row: StockRow = {
      barcode,
      qrCode,
      lot: text(obj, "lot", path, { max: 100 }) ?? "",
      productCode: productCodeOf(barcode, qrCode),
      name: requiredText(obj, "name", path, { max: 512 }),
      price: decimal(obj, "price", path, 2),
      amount: decimal(obj, "amount", path, 3),
    };
    let stock = stocks.get(pharmacyId);
    if (!stock) {
      stock = { storeCode: pharmacyId, rows: [], field: `${path}.pharmacy_id`, keys: new Map() };
      stocks.set(pharmacyId, stock);
    }
    const key = `${row.barcode}\u0000${row.qrCode}\u0000${row.lot}`;
    const first = stock.keys.get(key);
    if (first !== undefined) {
      throw new InvalidRequest(
        `Строка ${path} повторяет строку prices[${first}]: сочетание barcode, qr_code и lot должно быть уникальным в аптеке ${pharmacyId}.`,
      );
    }
    stock.keys.set(key, index);
    stock.rows.push(row);
  });
  if ("answer" in read) return read.answer;
  return settle(async () => {
    requireList(read.body, "prices");
    const result = await services.stock.replace(
      caller.partnerId,
      [...stocks.values()].map(({ storeCode, rows, field }) => ({ storeCode, rows, field })),
      "pharmapi",
    );
    return `Остатки и цены для ${result.stores} ${pluralRu(result.stores, "аптеки", "аптек", "аптек")} успешно приняты`;
  });
};

// ---------------------------------------------------------------------------------------------------
// sellout

function selloutLineFromJson(item: JsonValue, path: string, list: string, legacy: boolean): SelloutLine {
  const obj = objectItem(item, path, list);
  const datetimeText = requiredText(obj, "datetime", path, { max: 40 });
  const when = parseOffsetDateTime(datetimeText);
  if (!when) {
    throw new InvalidRequest(
      `Значение поля ${path}.datetime должно быть датой и временем ISO 8601 со смещением, например 2020-03-05T16:59:57+03:00.`,
    );
  }
  const barcode = text(obj, "barcode", path, { max: 50 });
  const qrCode = text(obj, "qr_code", path, { max: 200, allowGs: true });
  if (barcode === null && qrCode === null) {
    throw new InvalidRequest(`Строка ${path}: должен быть указан barcode или qr_code.`);
  }
  const price = decimal(obj, "price", path, 2);
  const count = decimal(obj, "count", path, 3);
  if (count === 0) throw new InvalidRequest(`Значение поля ${path}.count должно быть больше нуля.`);
  const discount = decimal(obj, "discount", path, 2);
  const sumField = legacy && !Object.hasOwn(obj, "sum_to_pay") ? "value" : "sum_to_pay";
  const sumToPay = decimal(obj, sumField, path, 2);
  const check = sumToPayMatches(price, count, discount, sumToPay);
  if (!check.ok) {
    throw new InvalidRequest(
      `Строка ${path}: ${sumField} должно быть равно price × count − discount = ${rublesText(check.expected)}, передано ${rublesText(sumToPay)}.`,
    );
  }
  const cardNumber = text(obj, "card_number", path, {
    max: 50,
    pattern: DIGITS,
    patternText: "ожидаются только цифры (без разделителей)",
  });
  const transaction = text(obj, "transaction", path, { max: 100 });
  if ((cardNumber === null) !== (transaction === null)) {
    throw new InvalidRequest(
      `Строка ${path}: card_number и transaction указываются вместе (продажа по программе) или не указываются оба.`,
    );
  }
  const fn = text(obj, "fn", path, { max: 64 });
  const fd = text(obj, "fd", path, { max: 64 });
  const fpd = text(obj, "fpd", path, { max: 64 });
  const fiscalGiven = [fn, fd, fpd].filter((v) => v !== null).length;
  if (fiscalGiven !== 0 && fiscalGiven !== 3) {
    throw new InvalidRequest(
      `Строка ${path}: фискальные признаки fn, fd и fpd указываются все три или ни одного.`,
    );
  }
  return {
    storeCode: requiredText(obj, "pharmacy_id", path, { max: 64 }),
    voucherId: requiredText(obj, "voucher_id", path, { max: 100 }),
    orderId: requiredText(obj, "order_id", path, { max: 100 }),
    soldAt: when.epochMs,
    soldLocal: when.local,
    utcOffsetMinutes: when.offsetMinutes,
    year: when.year,
    barcode,
    qrCode,
    productCode: productCodeOf(barcode, qrCode),
    name: requiredText(obj, "name", path, { max: 512 }),
    price,
    count,
    discount,
    sumToPay,
    cardNumber,
    transaction,
    fiscal: fiscalGiven === 3 ? { fn: fn!, fd: fd!, fpd: fpd! } : null,
    field: path,
  };
}

const sellout: PharmApiUploadMethod = async (caller, request, services) => {
  const lines: SelloutLine[] = [];
  // The current form is {"data": [...]}; the first published one (July–August 2020) was a bare array.
  const read = await readJsonBody(request, ["data", ""], (key, item, index) => {
    const legacy = key === "";
    const path = legacy ? `[${index}]` : `data[${index}]`;
    lines.push(selloutLineFromJson(item, path, legacy ? "массив продаж" : "data", legacy));
  });
  if ("answer" in read) return read.answer;
  return settle(async () => {
    if (!Array.isArray(read.body.root)) requireList(read.body, "data");
    else if ((read.body.counts.get("") ?? 0) === 0) {
      throw new InvalidRequest("Список продаж не может быть пустым, должен содержать элементы.");
    }
    const result = await services.sellout.record(caller.partnerId, lines, "pharmapi");
    return `${result.lines} ${pluralRu(result.lines, "продажа успешно принята", "продажи успешно приняты", "продаж успешно приняты")}`;
  });
};

// ---------------------------------------------------------------------------------------------------

function pluralRu(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

export const pharmApiUploadMethods: Record<
  "update_pharmacies" | "pl" | "update_prices" | "sellout",
  PharmApiUploadMethod
> = {
  update_pharmacies: updatePharmacies,
  pl,
  update_prices: updatePrices,
  sellout,
};
