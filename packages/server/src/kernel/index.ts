export * from "./batches.js";
export * from "./clock.js";
export * from "./errors.js";
export * from "./oldest.js";
export * from "./principal.js";
export * from "./random-hex.js";
export * from "./repricing.js";
