/**
 * Reading the protocol's request objects: a field of the wrong JSON type is a broken body (HTTP 400, as
 * the reference server's deserializer answers), a value that breaks a protocol rule is a validation error
 * (HTTP 200, status "error", code 400; nothing is written). Messages in Russian, naming the JSON field.
 */
import { JsonNumber, type JsonValue } from "./json.js";

/** The body does not fit the request type: answered 400 text/plain. */
export class BodyTypeError extends Error {}
/** The request breaks a rule of the protocol: answered 200 with status "error", error_code 400. */
export class ValidationError extends Error {}

export type JsonObject = { [key: string]: JsonValue };

export function objectOf(value: JsonValue, path: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof JsonNumber)
    throw new BodyTypeError(`${path}: ожидался объект`);
  return value;
}

/** A string field; null and absent are absent, an empty string too (as the reference server treats it). */
export function optionalString(obj: JsonObject, key: string, path = key): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new BodyTypeError(`${path}: ожидалась строка`);
  return v === "" ? null : v;
}

export function requiredString(obj: JsonObject, key: string, path = key): string {
  const v = optionalString(obj, key, path);
  if (v === null || v.trim() === "") throw new ValidationError(`Значение поля ${path} должно быть указано.`);
  return v;
}

export function optionalNumber(obj: JsonObject, key: string, path = key): JsonNumber | null {
  const v = obj[key];
  if (v === undefined) return null;
  if (!(v instanceof JsonNumber)) throw new BodyTypeError(`${path}: ожидалось число`);
  return v;
}

export function optionalArray(obj: JsonObject, key: string, path = key): JsonValue[] | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new BodyTypeError(`${path}: ожидался массив`);
  return v;
}

export function maxLength(value: string | null, max: number, path: string): void {
  if (value !== null && value.length > max)
    throw new ValidationError(`Значение поля ${path} должно содержать не более ${max} символов.`);
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export function posFields(body: JsonObject): { posId: string; pharmacyId: string | null } {
  const posId = requiredString(body, "pos_id");
  const pharmacyId = optionalString(body, "pharmacy_id");
  for (const [path, v] of [
    ["pos_id", posId],
    ["pharmacy_id", pharmacyId],
  ] as const) {
    if (v === null) continue;
    maxLength(v, 50, path);
    if (!CODE.test(v))
      throw new ValidationError(
        `Недопустимое значение ${path}: разрешены только цифры, латинские буквы и дефис.`,
      );
  }
  return { posId, pharmacyId };
}

export function cardOrPhone(body: JsonObject): { cardNumber: string | null; phoneNumber: string | null } {
  const cardNumber = optionalString(body, "card_number");
  const phoneNumber = optionalString(body, "phone_number");
  if (cardNumber === null && phoneNumber === null)
    throw new ValidationError("Должен быть указан номер карты или номер телефона.");
  if (cardNumber !== null && phoneNumber !== null)
    throw new ValidationError("Должен быть указан либо номер карты, либо номер телефона (но не оба сразу).");
  checkCard(cardNumber);
  checkPhone(phoneNumber);
  return { cardNumber, phoneNumber };
}

export function checkCard(cardNumber: string | null): void {
  if (cardNumber !== null && !/^[0-9]{1,50}$/.test(cardNumber))
    throw new ValidationError("Номер карты указан некорректно: ожидаются только цифры (без разделителей).");
}

export function checkPhone(phoneNumber: string | null): void {
  if (phoneNumber !== null && !/^\+7[0-9]{10}$/.test(phoneNumber))
    throw new ValidationError(
      "Номер телефона указан некорректно: ожидается +7 и следом 10 цифр (без разделителей).",
    );
}

export function transactionsOf(body: JsonObject): string[] {
  const list = optionalArray(body, "transactions");
  if (list === null || list.length === 0)
    throw new ValidationError("Поле transactions не может быть пустым, должно содержать элементы.");
  return list.map((v, i) => {
    if (v === null)
      throw new ValidationError("Поле transactions не должно содержать пустые (null) элементы.");
    if (typeof v !== "string") throw new BodyTypeError(`transactions[${i}]: ожидалась строка`);
    if (v.trim() === "")
      throw new ValidationError("Поле transactions не должно содержать пустые (null) элементы.");
    maxLength(v, 100, `transactions[${i}]`);
    return v;
  });
}
