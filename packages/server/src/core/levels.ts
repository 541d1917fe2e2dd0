/**
 * Card levels, the pure part: which level a base reaches, the period a base is counted over, the period a
 * downgrade review looks back on, and the cashier's words. Levels are ordered by threshold (rank 1 is the
 * lowest); a card's level that the program does not define ranks 0, so it can move up but is never moved
 * down by the program.
 */

const DAY_MS = 86_400_000;

export interface LevelDef {
  code: string;
  name: string;
  threshold: number;
}

export type LevelBasis = "purchase_amount" | "points_earned";
export type LevelPeriod = "rolling_days" | "calendar_year";
export type LevelDowngrade = "none" | "period_end";

export interface LevelSettings {
  basis: LevelBasis;
  period: LevelPeriod;
  periodDays: number;
  downgrade: LevelDowngrade;
  upgradeAtConfirm: boolean;
}

export const DEFAULT_LEVEL_SETTINGS: LevelSettings = {
  basis: "purchase_amount",
  period: "rolling_days",
  periodDays: 365,
  downgrade: "none",
  upgradeAtConfirm: false,
};

export function sortLevels(levels: readonly LevelDef[]): LevelDef[] {
  return [...levels].sort((a, b) => a.threshold - b.threshold || a.code.localeCompare(b.code));
}

/** The highest level whose threshold the base reaches; null when none. `levels` sorted by threshold. */
export function levelFor(levels: readonly LevelDef[], base: number): LevelDef | null {
  let reached: LevelDef | null = null;
  for (const l of levels) if (base >= l.threshold) reached = l;
  return reached;
}

/** 1-based rank in threshold order; 0 for no level or one the program does not define. */
export function rankOf(levels: readonly LevelDef[], code: string | null): number {
  if (code === null) return 0;
  return levels.findIndex((l) => l.code === code) + 1;
}

/** The next level above the base, with how much is missing; null at the top. */
export function nextLevel(
  levels: readonly LevelDef[],
  base: number,
): (LevelDef & { missing: number }) | null {
  const next = levels.find((l) => l.threshold > base);
  return next ? { ...next, missing: next.threshold - base } : null;
}

export interface Window {
  from: number;
  to: number;
}

/** The period a base is counted over now: the last N days, or this calendar year (UTC) so far. */
export function currentWindow(settings: LevelSettings, now: number): Window {
  if (settings.period === "calendar_year") {
    return { from: Date.UTC(new Date(now).getUTCFullYear(), 0, 1), to: now + 1 };
  }
  return { from: now - settings.periodDays * DAY_MS, to: now + 1 };
}

/**
 * Periods for downgrades: calendar years, or consecutive blocks of N days counted from the epoch. The key
 * names the period `now` is in; the review at its start looks back on the period that just ended.
 */
export function periodKeyOf(settings: LevelSettings, now: number): string {
  if (settings.period === "calendar_year") return `Y${new Date(now).getUTCFullYear()}`;
  return `D${settings.periodDays}:${Math.floor(now / (settings.periodDays * DAY_MS))}`;
}

export function endedWindow(settings: LevelSettings, now: number): Window {
  if (settings.period === "calendar_year") {
    const year = new Date(now).getUTCFullYear();
    return { from: Date.UTC(year - 1, 0, 1), to: Date.UTC(year, 0, 1) };
  }
  const length = settings.periodDays * DAY_MS;
  const start = Math.floor(now / length) * length;
  return { from: start - length, to: start };
}

/** The upgrade a base allows: the level reached when it ranks above the card's. */
export function upgradeFor(
  levels: readonly LevelDef[],
  current: string | null,
  base: number,
): LevelDef | null {
  const reached = levelFor(levels, base);
  return reached && rankOf(levels, reached.code) > rankOf(levels, current) ? reached : null;
}

/**
 * The level a card falls to when its base over the ended period no longer meets its level; undefined when
 * it keeps it (or its level is not one of the program's).
 */
export function downgradeFor(
  levels: readonly LevelDef[],
  current: string | null,
  base: number,
): LevelDef | null | undefined {
  const rank = rankOf(levels, current);
  if (rank === 0) return undefined;
  const reached = levelFor(levels, base);
  return rankOf(levels, reached?.code ?? null) < rank ? reached : undefined;
}

export function upgradeMessageRu(to: LevelDef): string {
  return `Карта переведена на уровень «${to.name}»`;
}

export function availableMessageRu(
  to: LevelDef | null,
  next: (LevelDef & { missing: number }) | null,
): string {
  if (to) return `Доступен переход на уровень «${to.name}»`;
  return next ? `До уровня «${next.name}» не хватает ${next.missing}` : "Карта на высшем уровне";
}
