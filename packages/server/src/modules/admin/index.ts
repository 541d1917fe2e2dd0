/** The cabinet's commands: writes no table itself, only through the owning modules, each change audited. */

export type { Actor } from "../audit/index.js";
export * from "./admin-service.js";
export * from "./operator-desk.js";
export * from "./program-admin.js";
export * from "./views.js";
