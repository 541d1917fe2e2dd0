import { expect } from "vitest";
import { DomainError } from "../../src/kernel/errors.js";

/** Runs `fn`, expects it to throw a DomainError with `code`, and returns the error for further checks. */
export function expectDomainError(fn: () => unknown, code: string): DomainError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected DomainError ${code}`).toBeInstanceOf(DomainError);
  const error = thrown as DomainError;
  expect(error.code).toBe(code);
  return error;
}

/** A cheap assertion for hot property loops (vitest's expect is comparatively slow); fast-check reports the input. */
export function check(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}
