/** Programs, their rules and participants: the only code that writes programs, rules, rule_versions, program_versions, program_participants. */
export * from "./participants.js";
export * from "./program-catalog.js";
export * from "./programs.js";
export * from "./registration-settings.js";
export * from "./rule-names.js";
export {
  bodyOf,
  bodyOfDraft,
  diffDefinitions,
  findRule,
  insertRule,
  listRules,
  type RuleBody,
  RuleChangedError,
  type RuleDifference,
  type RuleDraft,
  type RuleRecord,
  type RuleVersionRecord,
  ruleBodyIssues,
  ruleVersions,
  saveRuleVersion,
  setRuleActive,
} from "./rules.js";
