/**
 * Which rules the receipt's context alone rules out, as a bitmap over rule positions (bit `pos & 31` of
 * word `pos >>> 5`): rules outside their validity window, and rules with a top-level `stores`,
 * `card_levels`, `weekdays`, `time_of_day` or `promo_code` condition that the receipt's store, card,
 * local weekday and time or absence of promo codes fails. The candidate index hands out only the rules the bitmap keeps, so most
 * rules that cannot apply are never looked at. It never drops a rule whose checks would all pass. On
 * `stores`, `card_levels`, `weekdays` and `time_of_day` it decides exactly as the checks do, so the engine
 * does not check those again on the rules it keeps (SETTLED_BY_CONTEXT in engine.ts). A rule with a
 * promo_code condition is dropped only when no code is presented; the condition is still checked. The
 * engine's full scan is the reference.
 * Bitmaps are computed once per store, card level, weekday, minute of the day and validity period, then
 * reused.
 */
import type { RuleDefinition } from "@kopilka/contract";
import type { LocalTime } from "./local-time.js";
import type { RuleCard } from "./types.js";

/** "HH:MM" → minutes since midnight, as the time_of_day condition reads it. */
const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** What a rule's top-level conditions demand of the receipt's context. */
interface Demands {
  from: number;
  to: number;
  /** Every top-level `stores` condition's list. */
  stores: Set<string>[];
  levels: Set<string>[];
  /** Allowed ISO weekdays as bits 1–7; null without a weekdays condition. */
  days: number | null;
  /** Every top-level `time_of_day` condition's interval, in minutes of the local day. */
  times: { from: number; to: number }[];
  promo: boolean;
}

/** A cache of bitmaps by key that forgets everything past this many keys (store codes come from requests). */
const MAX_KEYS = 4096;

export class ContextFilter {
  private readonly demands: Demands[];
  private readonly words: number;
  /** Whether some rule's demands depend on the store's local time (else `keep` ignores it). */
  readonly readsLocalTime: boolean;
  private readonly byMinute = new Map<number, Int32Array>();
  private readonly noTime: Int32Array;
  private readonly readsTimeOfDay: boolean;
  private readonly byStore = new Map<string, Int32Array>();
  private readonly byLevel = new Map<string, Int32Array>();
  /** By ISO weekday, 0 for an unknown one. */
  private readonly byDay: Int32Array[] = [];
  private readonly noStore: Int32Array;
  private readonly noLevel: Int32Array;
  private readonly noPromo: Int32Array;
  private valid: Int32Array | null = null;
  /** The instants [validFrom, validUntil) in which no rule starts or ends: `valid` holds throughout. */
  private validFrom = Number.POSITIVE_INFINITY;
  private validUntil = Number.NEGATIVE_INFINITY;
  private readonly allowed: Int32Array;

  /** `definitions` in rule position order, with their validity windows as epoch ms. */
  constructor(definitions: readonly RuleDefinition[], windows: readonly { from: number; to: number }[]) {
    this.words = (definitions.length + 31) >>> 5;
    this.allowed = new Int32Array(this.words);
    this.demands = definitions.map((def, pos) => {
      const d: Demands = { ...windows[pos]!, stores: [], levels: [], days: null, times: [], promo: false };
      for (const c of def.conditions) {
        if (c.type === "stores") d.stores.push(new Set(c.params.stores));
        else if (c.type === "card_levels") d.levels.push(new Set(c.params.levels));
        else if (c.type === "promo_code") d.promo = true;
        else if (c.type === "time_of_day")
          d.times.push({ from: minuteOf(c.params.from), to: minuteOf(c.params.to) });
        else if (c.type === "weekdays") {
          let mask = 0;
          for (const day of c.params.days) mask |= 1 << day;
          d.days = d.days === null ? mask : d.days & mask;
        }
      }
      return d;
    });
    this.readsLocalTime = this.demands.some((d) => d.days !== null || d.times.length > 0);
    this.noTime = this.bits((d) => d.times.length === 0);
    this.readsTimeOfDay = this.demands.some((d) => d.times.length > 0);
    for (let day = 0; day <= 7; day++)
      this.byDay.push(this.bits((d) => d.days === null || (day !== 0 && (d.days & (1 << day)) !== 0)));
    this.noStore = this.bits((d) => d.stores.length === 0);
    this.noLevel = this.bits((d) => d.levels.length === 0);
    this.noPromo = this.bits((d) => !d.promo);
  }

  /**
   * The rules the context keeps (reused by the next call). `local` is the store's local time, null when
   * it is unknown (no store, unknown zone): then every weekdays and time_of_day condition fails.
   */
  keep(
    now: number,
    storeCode: string | null,
    card: RuleCard | null,
    local: LocalTime | null,
    promo: boolean,
  ): Int32Array {
    const valid = this.validAt(now);
    const store = storeCode === null ? this.noStore : this.ofStore(storeCode);
    const level = this.ofCard(card);
    const day = (local && this.byDay[local.weekday]) || this.byDay[0]!;
    const time = local ? this.ofMinute(local.minuteOfDay) : this.noTime;
    const withoutPromo = promo ? null : this.noPromo;
    const allowed = this.allowed;
    for (let w = 0; w < this.words; w++)
      allowed[w] =
        valid[w]! & store[w]! & level[w]! & day[w]! & time[w]! & (withoutPromo ? withoutPromo[w]! : -1);
    return allowed;
  }

  private bits(keep: (d: Demands) => boolean): Int32Array {
    const bits = new Int32Array(this.words);
    this.demands.forEach((d, pos) => {
      if (keep(d)) bits[pos >>> 5]! |= 1 << (pos & 31);
    });
    return bits;
  }

  private ofStore(code: string): Int32Array {
    let bits = this.byStore.get(code);
    if (!bits) {
      if (this.byStore.size >= MAX_KEYS) this.byStore.clear();
      bits = this.bits((d) => d.stores.every((s) => s.has(code)));
      this.byStore.set(code, bits);
    }
    return bits;
  }

  private ofMinute(minute: number): Int32Array {
    if (!this.readsTimeOfDay) return this.noTime;
    let bits = this.byMinute.get(minute);
    if (!bits) {
      // At most a day's minutes; a receipt's minute is usually the previous receipt's.
      bits = this.bits((d) =>
        d.times.every(({ from, to }) =>
          from < to ? minute >= from && minute < to : minute >= from || minute < to,
        ),
      );
      this.byMinute.set(minute, bits);
    }
    return bits;
  }

  private ofCard(card: RuleCard | null): Int32Array {
    const level = card?.level ?? null;
    if (level === null) return this.noLevel;
    let bits = this.byLevel.get(level);
    if (!bits) {
      if (this.byLevel.size >= MAX_KEYS) this.byLevel.clear();
      bits = this.bits((d) => d.levels.every((s) => s.has(level)));
      this.byLevel.set(level, bits);
    }
    return bits;
  }

  private validAt(now: number): Int32Array {
    if (this.valid && now >= this.validFrom && now < this.validUntil) return this.valid;
    let from = Number.NEGATIVE_INFINITY;
    let until = Number.POSITIVE_INFINITY;
    for (const d of this.demands)
      for (const edge of [d.from, d.to]) {
        if (edge <= now) from = Math.max(from, edge);
        else until = Math.min(until, edge);
      }
    // As the engine's own check reads it (an instant that is not a number is before and after nothing).
    this.valid = this.bits((d) => !(now < d.from) && !(now >= d.to));
    this.validFrom = from;
    this.validUntil = until;
    return this.valid;
  }
}
