/**
 * Local calendar time of a store from an instant (epoch ms) and an IANA zone, without I/O. Intl does the
 * zone arithmetic; a formatter per zone and the zone's offsets at the last few dozen UTC minutes asked are
 * cached, so a receipt costs at most one Intl call per store and minute, and none at all within the same
 * minute (a limit's period window, which looks around two local midnights, included).
 */

export interface LocalTime {
  /** Days since 1970-01-01 of the local date. */
  dayNumber: number;
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Minutes since local midnight, 0–1439. */
  minuteOfDay: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Per zone, offsets by UTC minute: a limit's period window asks for a few minutes around two midnights. */
const offsets = new Map<string, Map<number, number>>();
const OFFSETS_PER_ZONE = 64;

function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    // Throws RangeError for an unknown zone: callers decide what that means.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC (ms) at the given UTC minute. */
function offsetAt(zone: string, minute: number): number {
  let known = offsets.get(zone);
  const cached = known?.get(minute);
  if (cached !== undefined) return cached;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let min = 0;
  for (const part of formatterOf(zone).formatToParts(minute * MINUTE)) {
    switch (part.type) {
      case "year":
        year = Number(part.value);
        break;
      case "month":
        month = Number(part.value);
        break;
      case "day":
        day = Number(part.value);
        break;
      case "hour":
        hour = Number(part.value);
        break;
      case "minute":
        min = Number(part.value);
        break;
      default:
        break;
    }
  }
  const offsetMs = daysFromCivil(year, month, day) * DAY + hour * 3_600_000 + min * MINUTE - minute * MINUTE;
  if (!known || known.size >= OFFSETS_PER_ZONE) {
    known = new Map();
    offsets.set(zone, known);
  }
  known.set(minute, offsetMs);
  return offsetMs;
}

/** Throws RangeError when the zone is not a valid IANA zone. */
export function localTimeOf(epochMs: number, zone: string): LocalTime {
  const minute = Math.floor(epochMs / MINUTE);
  const localMinute = minute + offsetAt(zone, minute) / MINUTE;
  const dayNumber = Math.floor(localMinute / 1440);
  const c = civilFromDays(dayNumber);
  return {
    dayNumber,
    year: c.year,
    month: c.month,
    day: c.day,
    // 1970-01-01 was a Thursday (ISO 4).
    weekday: ((((dayNumber + 3) % 7) + 7) % 7) + 1,
    minuteOfDay: localMinute - dayNumber * 1440,
  };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm, exact for any year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** "2025-03-08" → days since the epoch. */
export function dayNumberOfIsoDate(iso: string): number {
  return daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

export function isoDateOfDayNumber(dayNumber: number): string {
  const c = civilFromDays(dayNumber);
  return `${String(c.year).padStart(4, "0")}-${String(c.month).padStart(2, "0")}-${String(c.day).padStart(2, "0")}`;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
