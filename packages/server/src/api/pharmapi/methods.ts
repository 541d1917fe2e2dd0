/**
 * The POS methods of PharmApi: each reads its request (fields.ts), calls the PharmApi service and writes
 * the protocol's answer: the method's fields, then `status`, `error_code`, `message`. Echoed values keep
 * the text the POS sent; computed money is rubles with at most two decimals.
 */
import { lineAmount, mulDivRound } from "../../core/arithmetic.js";
import type { PharmApiCaller, PharmApiService, PosContext } from "../../modules/pharmapi/index.js";
import { gtinOfDataMatrix } from "./datamatrix.js";
import { kopecksOf, rubles, thousandthsOf } from "./decimals.js";
import {
  BodyTypeError,
  cardOrPhone,
  checkCard,
  checkPhone,
  type JsonObject,
  maxLength,
  objectOf,
  optionalArray,
  optionalNumber,
  optionalString,
  posFields,
  requiredString,
  transactionsOf,
  ValidationError,
} from "./fields.js";
import { JsonNumber } from "./json.js";

/** 10 million rubles a pack and 100 000 packs a line: far beyond any pharmacy, far below 2^53. */
const MAX_PRICE_KOPECKS = 1_000_000_000;
const MAX_COUNT_THOUSANDTHS = 100_000_000;

export type Answer = Record<string, unknown>;

export interface MethodContext {
  caller: PharmApiCaller;
  service: PharmApiService;
  /** v1.0 answers get_programs with `program`, v1.1 with `programs`. */
  version: "v1.0" | "v1.1";
}

export type PosMethod = (ctx: MethodContext, body: JsonObject) => Promise<Answer>;

export function envelope(fields: Answer, errorCode: number, message: string): Answer {
  return { ...fields, status: errorCode === 0 ? "success" : "error", error_code: errorCode, message };
}

function posContext(ctx: MethodContext, body: JsonObject): PosContext {
  const { posId, pharmacyId } = posFields(body);
  return { caller: ctx.caller, posId, pharmacyId };
}

interface OrderLine {
  raw: JsonObject;
  barcode: string | null;
  qrCode: string | null;
  count: JsonNumber;
  price: JsonNumber;
  quantity: number;
  kopecks: number;
}

function readOrders(body: JsonObject): OrderLine[] {
  const list = optionalArray(body, "orders") ?? [];
  return list.map((v, i) => {
    const path = `orders[${i}]`;
    if (v === null) throw new ValidationError("Поле orders не должно содержать пустые (null) элементы.");
    const o = objectOf(v, path);
    const barcode = optionalString(o, "barcode", `${path}.barcode`);
    const qrCode = optionalString(o, "qr_code", `${path}.qr_code`);
    const anyData = optionalString(o, "any_data", `${path}.any_data`);
    maxLength(barcode, 50, `${path}.barcode`);
    maxLength(qrCode, 500, `${path}.qr_code`);
    maxLength(anyData, 100, `${path}.any_data`);
    const count = optionalNumber(o, "count", `${path}.count`);
    const price = optionalNumber(o, "price", `${path}.price`);
    if (count === null) throw new ValidationError(`Значение поля ${path}.count должно быть указано.`);
    if (price === null) throw new ValidationError(`Значение поля ${path}.price должно быть указано.`);
    const q = thousandthsOf(`${path}.count`, count, MAX_COUNT_THOUSANDTHS);
    if (!q.ok) throw new ValidationError(q.message);
    const p = kopecksOf(`${path}.price`, price, MAX_PRICE_KOPECKS);
    if (!p.ok) throw new ValidationError(p.message);
    return { raw: o, barcode, qrCode, count, price, quantity: q.value, kopecks: p.value };
  });
}

/** The line's code for the programs: a DataMatrix code wins over the barcode (which is still echoed). */
function codeOf(line: OrderLine): string | null {
  if (line.qrCode !== null) return gtinOfDataMatrix(line.qrCode) ?? `datamatrix:${line.qrCode.length}`;
  return line.barcode;
}

const getDiscount: PosMethod = async (ctx, body) => {
  const pos = posContext(ctx, body);
  const { cardNumber, phoneNumber } = cardOrPhone(body);
  const anyData = optionalString(body, "any_data");
  maxLength(anyData, 100, "any_data");
  const orders = readOrders(body);
  const answer = await ctx.service.getDiscount(pos, {
    cardNumber,
    phoneNumber,
    lines: orders.map((o) => ({ barcode: codeOf(o), quantity: o.quantity, price: o.kopecks })),
  });
  const lines = orders.map((o, i) => {
    const a = answer.lines[i];
    const amount = lineAmount(o.kopecks, o.quantity);
    const discount = a?.discount ?? 0;
    const value = amount - discount;
    return {
      any_data: o.raw.any_data ?? undefined,
      barcode: o.barcode ?? undefined,
      qr_code: o.qrCode ?? undefined,
      count: o.count,
      description: a?.name ?? undefined,
      discount: rubles(discount),
      error_code: a ? a.code : answer.errorCode,
      message: a ? a.message : answer.message,
      price: o.price,
      program: a?.program ?? undefined,
      program_name: a?.programName ?? undefined,
      transaction: a?.transaction ?? undefined,
      type: a?.type ?? undefined,
      value: rubles(value),
      value_per_item: rubles(mulDivRound(value, 1000, o.quantity)),
    };
  });
  return envelope(
    {
      description: answer.description ?? undefined,
      pos_id: pos.posId,
      pharmacy_id: pos.pharmacyId ?? undefined,
      card_number: cardNumber ?? undefined,
      phone_number: phoneNumber ?? undefined,
      any_data: anyData ?? undefined,
      orders: lines,
    },
    answer.errorCode,
    answer.message,
  );
};

const confirmPurchase: PosMethod = async (ctx, body) => {
  const pos = posContext(ctx, body);
  const card = cardOrPhone(body);
  const codes = transactionsOf(body);
  checkSkus(body);
  const outcome = await ctx.service.confirm(pos, { ...card, codes });
  return envelope({}, outcome.errorCode, outcome.message);
};

const cancelPurchase: PosMethod = async (ctx, body) => {
  const pos = posContext(ctx, body);
  const card = cardOrPhone(body);
  const trustKey = requiredString(body, "trust_key");
  const codes = transactionsOf(body);
  checkSkus(body);
  const outcome = await ctx.service.cancel(pos, { ...card, codes, trustKey });
  return envelope({}, outcome.errorCode, outcome.message);
};

/** The SDK's optional real-time sales list of confirm: accepted and checked, not used. */
function checkSkus(body: JsonObject): void {
  const skus = optionalArray(body, "skus");
  skus?.forEach((v, i) => {
    if (v === null) throw new ValidationError("Поле skus не должно содержать пустые (null) элементы.");
    const o = objectOf(v, `skus[${i}]`);
    requiredString(o, "barcode", `skus[${i}].barcode`);
    for (const key of ["count", "price"]) {
      const n = optionalNumber(o, key, `skus[${i}].${key}`);
      if (n === null || !/^[0-9]/.test(n.text) || /^0(\.0*)?$/.test(n.text))
        throw new ValidationError(`Значение поля skus[${i}].${key} должно быть больше нуля.`);
    }
  });
}

const register: PosMethod = async (ctx, body) => {
  const pos = posContext(ctx, body);
  const cardNumber = requiredString(body, "card_number");
  const phoneNumber = requiredString(body, "phone_number");
  checkCard(cardNumber);
  checkPhone(phoneNumber);
  const trustKey = optionalString(body, "trust_key");
  const outcome = await ctx.service.register(pos, { cardNumber, phoneNumber, trustKey });
  return envelope(
    outcome.code !== undefined ? { code: outcome.code } : {},
    outcome.errorCode,
    outcome.message,
  );
};

const confirmCode: PosMethod = async (ctx, body) => {
  const pos = posContext(ctx, body);
  const code = requiredString(body, "code");
  maxLength(code, 20, "code");
  const outcome = await ctx.service.confirmCode(pos, code);
  return envelope({}, outcome.errorCode, outcome.message);
};

const getPrograms: PosMethod = async (ctx, body) => {
  const pos = posContext(ctx, body);
  const result = await ctx.service.programs(pos);
  if ("errorCode" in result) return envelope({}, result.errorCode, result.message);
  const list = result.map((p) => ({ code: p.code, name: p.name }));
  return envelope(
    ctx.version === "v1.0" ? { program: list } : { programs: list },
    0,
    "Список проектов сформирован",
  );
};

const getProducts: PosMethod = async (ctx, body) => {
  const pos = posContext(ctx, body);
  const result = await ctx.service.products(pos);
  if ("errorCode" in result) return envelope({}, result.errorCode, result.message);
  return envelope({ products: result }, 0, "Список продуктов сформирован");
};

export const POS_METHODS: Readonly<Record<string, PosMethod>> = {
  get_discount: getDiscount,
  confirm_purchase: confirmPurchase,
  cancel_purchase: cancelPurchase,
  register,
  confirm_code: confirmCode,
  get_programs: getPrograms,
  get_products: getProducts,
};

export { BodyTypeError, JsonNumber, ValidationError };
