/** A report's period: whole local days of a zone, both ends included, as an instant range [from, to). */
import { dayNumberOfIsoDate, localTimeOf } from "../../core/rules/local-time.js";
import { DomainError } from "../../kernel/errors.js";
import { isValidTimeZone } from "../stores/index.js";

export interface ReportPeriod {
  fromDate: string;
  toDate: string;
  timezone: string;
  /** Epoch ms of the first day's local midnight. */
  from: number;
  /** Epoch ms of the local midnight after the last day. */
  to: number;
}

export const DEFAULT_REPORT_TIMEZONE = "Europe/Moscow";
/** A longer period makes an export nobody opens; a year covers the protocol's monthly reconciliation. */
const MAX_DAYS = 366;
const DAY = 86_400_000;
const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

function dayNumber(text: string, field: string): number {
  const valid = ISO_DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
  if (!valid || new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) !== text) {
    throw new DomainError("VALIDATION_FAILED", `${field} is not a date`, { field, reason: "YYYY-MM-DD" });
  }
  return dayNumberOfIsoDate(text);
}

/** The instant of local midnight starting `day` (days since 1970-01-01) in `zone`. */
function localMidnight(day: number, zone: string): number {
  let guess = day * DAY;
  // Two rounds settle any offset, also across a change of the zone's offset near midnight.
  for (let i = 0; i < 2; i++) {
    const local = localTimeOf(guess, zone);
    const localMs = local.dayNumber * DAY + local.minuteOfDay * 60_000;
    guess += day * DAY - localMs;
  }
  return guess;
}

export function reportPeriod(
  fromDate: string,
  toDate: string,
  timezone = DEFAULT_REPORT_TIMEZONE,
): ReportPeriod {
  if (!isValidTimeZone(timezone)) {
    throw new DomainError("VALIDATION_FAILED", `unknown time zone ${timezone}`, { field: "timezone" });
  }
  const first = dayNumber(fromDate, "from");
  const last = dayNumber(toDate, "to");
  if (last < first) {
    throw new DomainError("VALIDATION_FAILED", "the period ends before it starts", {
      field: "to",
      reason: "not before from",
    });
  }
  if (last - first + 1 > MAX_DAYS) {
    throw new DomainError("VALIDATION_FAILED", "the period is longer than a year", {
      field: "to",
      reason: `at most ${MAX_DAYS} days`,
    });
  }
  return {
    fromDate,
    toDate,
    timezone,
    from: localMidnight(first, timezone),
    to: localMidnight(last + 1, timezone),
  };
}
