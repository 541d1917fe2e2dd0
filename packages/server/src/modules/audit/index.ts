/** The audit log: the only code that writes audit_log. */
export * from "./audit.js";
