/** Programs and rules: the only code that writes the programs and rules tables. */
export * from "./program-catalog.js";
export * from "./programs.js";
export * from "./registration-settings.js";
export type { RuleDraft } from "./rules.js";
