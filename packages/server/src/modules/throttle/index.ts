/** Login throttling: the only code that writes throttle_counters. */
export * from "./throttle.js";
