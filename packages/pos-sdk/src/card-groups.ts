/**
 * Card groups, as Artix configures them: a card's group decides which loyalty system serves it and under
 * which program. A card of no group is not a loyalty card: the till never asks the server about it.
 */

export interface CardRange {
  /** Inclusive bounds of the same length, digits only: `2000000000001`…`2000000010000`. */
  from: string;
  to: string;
}

export interface CardGroup {
  /** The group's name, for the cashier's screen and the logs. */
  name: string;
  /** The loyalty system serving the group; this SDK serves `kopilka`. */
  loyaltySystem: string;
  /** The program on the server (default: the partner's default program). */
  programCode?: string;
  /** The card number starts with one of these. */
  prefixes?: string[];
  /** The card number lies in one of these ranges. */
  ranges?: CardRange[];
}

const DIGITS = /^[0-9]+$/;

/** Whether `number` lies in `range`: the same length and between the bounds, compared as digit strings. */
export function inRange(number: string, range: CardRange): boolean {
  if (!DIGITS.test(number) || number.length !== range.from.length || number.length !== range.to.length)
    return false;
  // Equal-length digit strings order like the numbers they spell (no BigInt, no precision limit).
  return number >= range.from && number <= range.to;
}

/** The first group the card belongs to, in the configured order; null: not a loyalty card. */
export function cardGroupOf(number: string, groups: readonly CardGroup[]): CardGroup | null {
  const trimmed = number.trim();
  if (trimmed === "") return null;
  for (const group of groups) {
    if (group.prefixes?.some((p) => p !== "" && trimmed.startsWith(p))) return group;
    if (group.ranges?.some((r) => inRange(trimmed, r))) return group;
  }
  return null;
}

/** A configuration mistake in the groups, or null: every range well formed. */
export function cardGroupsProblem(groups: readonly CardGroup[]): string | null {
  for (const g of groups) {
    if (!g.name) return "a card group has no name";
    if (!g.prefixes?.length && !g.ranges?.length)
      return `card group ${g.name} has neither prefixes nor ranges`;
    for (const r of g.ranges ?? []) {
      if (!DIGITS.test(r.from) || !DIGITS.test(r.to) || r.from.length !== r.to.length || r.from > r.to)
        return `card group ${g.name}: range ${r.from}-${r.to} must be two digit strings of one length, from ≤ to`;
    }
  }
  return null;
}
