/** Card levels: the only code that writes card_levels, level_settings, card_level_reviews, card_level_changes. */
export * from "./level-service.js";
