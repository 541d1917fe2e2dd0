/** Partners (retail chains): the only code that writes the partners table. */
export * from "./partners.js";
