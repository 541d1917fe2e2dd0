/** Programs, their rules and participants: the only code that writes programs, rules, program_participants. */
export * from "./participants.js";
export * from "./program-catalog.js";
export * from "./programs.js";
export * from "./registration-settings.js";
export type { RuleDraft } from "./rules.js";
