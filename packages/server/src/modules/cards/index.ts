/** Cards: the only code that writes the cards table. */

export * from "./card-service.js";
export * from "./cards.js";
