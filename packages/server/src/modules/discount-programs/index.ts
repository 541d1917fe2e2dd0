/** Manufacturer discount programs: the only code that writes discount_programs, discount_program_versions, discount_limit_locks, discount_limit_holds. */
export {
  type CompiledDiscountProgram,
  compiledDiscountProgram,
  DISCOUNT_ENGINE_ID,
  parseDiscountRulesVersion,
} from "./compiled.js";
export { DEFAULT_SETTINGS, type DiscountProgramRecord } from "./definitions.js";
export {
  consumedPacks,
  consumeLimits,
  DiscountLimitTaken,
  type LineConsumption,
  releaseLimits,
  reserveLimits,
} from "./limits.js";
export { type DiscountPriced, priceWithDiscountProgram } from "./pricing.js";
export { consumeDiscountLimits, releaseDiscountLimits } from "./purchase-hooks.js";
export { type CardLookup, DiscountProgramService, discountProgramIssues } from "./service.js";
