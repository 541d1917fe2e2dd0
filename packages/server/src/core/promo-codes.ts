/**
 * Promo codes, the pure part: how a code is written down (normalized), whether a code may be used now by
 * a card and why not, the cashier's message for each verdict, and random codes for batches.
 */

export function normalizePromoCode(code: string): string {
  return code.trim().toUpperCase();
}

/** Why a code cannot be used (or VALID). Stable: the POS and the cabinet switch on these. */
export const PROMO_CODE_VERDICTS = [
  "VALID",
  "UNKNOWN",
  "DISABLED",
  "NOT_YET_VALID",
  "EXPIRED",
  "EXHAUSTED",
  "USED_BY_CARD",
  "WRONG_PROGRAM",
  "WRONG_CARD",
  "CARD_REQUIRED",
  "NOT_APPLICABLE",
] as const;
export type PromoCodeVerdict = (typeof PROMO_CODE_VERDICTS)[number];

export interface PromoCodeFacts {
  programId: number;
  maxUses: number | null;
  maxUsesPerCard: number | null;
  validFrom: number | null;
  validTo: number | null;
  /** A personal code's card. */
  cardId: number | null;
  disabled: boolean;
  /** Live uses (reserved + consumed) by other purchases than the one asking. */
  usesByOthers: number;
  /** Live uses of the asking card by other purchases. */
  usesByCard: number;
}

export interface UseRequest {
  now: number;
  /** The program of the card presented (or the partner's default program without a card). */
  programId: number | null;
  cardId: number | null;
}

/** Whether the code may be used; the first reason that applies, in the order a cashier would explain. */
export function judgePromoCode(code: PromoCodeFacts | null, request: UseRequest): PromoCodeVerdict {
  if (!code) return "UNKNOWN";
  if (code.disabled) return "DISABLED";
  if (request.programId !== null && request.programId !== code.programId) return "WRONG_PROGRAM";
  if (code.validFrom !== null && request.now < code.validFrom) return "NOT_YET_VALID";
  if (code.validTo !== null && request.now >= code.validTo) return "EXPIRED";
  if (code.cardId !== null) {
    if (request.cardId === null) return "CARD_REQUIRED";
    if (request.cardId !== code.cardId) return "WRONG_CARD";
  }
  if (code.maxUses !== null && code.usesByOthers >= code.maxUses) return "EXHAUSTED";
  if (code.maxUsesPerCard !== null) {
    if (request.cardId === null) return "CARD_REQUIRED";
    if (code.usesByCard >= code.maxUsesPerCard) return "USED_BY_CARD";
  }
  return "VALID";
}

const pad = (n: number) => String(n).padStart(2, "0");

/** dd.mm.yyyy of an instant in a time zone (UTC when none is known). */
export function formatDateRu(ms: number, timeZone = "UTC"): string {
  try {
    const parts = new Intl.DateTimeFormat("ru-RU", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).formatToParts(new Date(ms));
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
    return `${get("day")}.${get("month")}.${get("year")}`;
  } catch {
    const d = new Date(ms);
    return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
  }
}

/** The cashier's line for a verdict, in Russian. */
export function promoCodeMessageRu(
  code: string,
  verdict: PromoCodeVerdict,
  dates: { validFrom: number | null; validTo: number | null; timeZone?: string } = {
    validFrom: null,
    validTo: null,
  },
): string {
  const tz = dates.timeZone ?? "UTC";
  switch (verdict) {
    case "VALID":
      return `Промокод ${code} можно применить`;
    case "UNKNOWN":
      return `Промокод ${code} не найден`;
    case "DISABLED":
      return `Промокод ${code} отключён`;
    case "NOT_YET_VALID":
      return dates.validFrom === null
        ? `Промокод ${code} ещё не действует`
        : `Промокод ${code} действует с ${formatDateRu(dates.validFrom, tz)}`;
    case "EXPIRED":
      return dates.validTo === null
        ? `Срок действия промокода ${code} истёк`
        : `Срок действия промокода ${code} истёк ${formatDateRu(dates.validTo - 1, tz)}`;
    case "EXHAUSTED":
      return `Промокод ${code} уже использован: лимит применений исчерпан`;
    case "USED_BY_CARD":
      return `Промокод ${code} уже использован по этой карте`;
    case "WRONG_PROGRAM":
      return `Промокод ${code} не относится к программе этой карты`;
    case "WRONG_CARD":
      return `Промокод ${code} выдан другой карте`;
    case "CARD_REQUIRED":
      return `Для промокода ${code} нужна карта покупателя`;
    case "NOT_APPLICABLE":
      return `Промокод ${code} не даёт скидки или начисления на этот чек`;
  }
}

/** Letters and digits a person reads back without confusion: no 0/O, 1/I/L. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/**
 * Random codes from random bytes: each character is a uniform draw from the alphabet (rejection sampling,
 * no modulo bias). `bytes(n)` supplies randomness (crypto in production, a seeded source in tests).
 */
export function randomCodes(
  count: number,
  length: number,
  prefix: string,
  bytes: (n: number) => Uint8Array,
): string[] {
  const size = CODE_ALPHABET.length;
  const limit = 256 - (256 % size);
  const codes: string[] = [];
  let pool = bytes(count * length * 2);
  let at = 0;
  for (let i = 0; i < count; i++) {
    let code = prefix;
    while (code.length < prefix.length + length) {
      if (at >= pool.length) {
        pool = bytes(count * length);
        at = 0;
      }
      const b = pool[at++]!;
      if (b < limit) code += CODE_ALPHABET[b % size];
    }
    codes.push(code);
  }
  return codes;
}
