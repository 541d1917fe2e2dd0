/** Rule and discount program definitions shared by the server (validation, engine) and the cabinet (forms). */
export * from "./definition.js";
export * from "./discount-program.js";
export * from "./issue-text.js";
export * from "./registry.js";
