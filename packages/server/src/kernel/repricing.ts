/**
 * Quota that pricing saw free but a concurrent purchase took before this one reserved it (a discount
 * program's per-card limit, a card's daily accrual allowance): the calculation is priced again and sees
 * what is left. Each retry follows another purchase's commit, so the loop ends once the quota is settled.
 */
export class QuotaTakenConcurrently extends Error {}

const MAX_ATTEMPTS = 50;

/** Runs `work` again while it throws QuotaTakenConcurrently, at most 50 times. */
export async function withRepricingOnQuotaTaken<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof QuotaTakenConcurrently) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
