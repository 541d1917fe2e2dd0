/** Delivery of confirmation codes (SMS gateway, SMTP, development file). Writes no tables. */
export * from "./channels.js";
