import type { Services } from "../../app/services.js";

/** What the POS v1 surface uses of the application layer. */
export type PosServices = Pick<
  Services,
  | "clock"
  | "auth"
  | "cards"
  | "catalog"
  | "programs"
  | "purchases"
  | "clients"
  | "cardDesk"
  | "promoCodes"
  | "levels"
  | "pharmacies"
  | "stock"
  | "sellout"
  | "stores"
>;
