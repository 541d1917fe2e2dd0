/** Stores: the only code that writes the stores and store_pos_ids tables. */
export * from "./pharmacies.js";
export * from "./store-directory.js";
export * from "./stores.js";
