/** Cards: the only code that writes the cards table. */

export * from "./card-desk.js";
export * from "./card-generation.js";
export * from "./card-import.js";
export * from "./card-issuing.js";
export * from "./card-levels.js";
export * from "./card-lifecycle.js";
export * from "./card-queries.js";
export * from "./card-service.js";
export * from "./cards.js";
