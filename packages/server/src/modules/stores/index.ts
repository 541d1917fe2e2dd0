/** Stores: the only code that writes the stores table. */
export * from "./store-directory.js";
export * from "./stores.js";
