import type { Services } from "../../app/services.js";

/** What the admin surface uses of the application layer, and how it sets its cookies. */
export type AdminServices = Pick<
  Services,
  | "clock"
  | "sessions"
  | "admin"
  | "desk"
  | "promoCodes"
  | "levels"
  | "programAdmin"
  | "reports"
  | "discountPrograms"
  | "pharmApiAdmin"
  | "stats"
  | "catalog"
  | "antiFraud"
> & {
  /** Mark the session cookie Secure even on plain HTTP (behind a TLS-terminating proxy). */
  cookieSecure: boolean;
};
