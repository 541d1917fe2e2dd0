/** Demo data for `npm start`, loaded through the other modules' public functions. */
export * from "./bulk-seed.js";
export * from "./demo-data.js";
