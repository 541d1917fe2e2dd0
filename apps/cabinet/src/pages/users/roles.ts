import type { PartnerRole } from "../../api/types.ts";

/** Every role, in the order the cabinet lists them; the type check keeps it in step with the contract. */
export const ROLES = ["owner", "marketer", "operator", "analyst"] as const satisfies readonly PartnerRole[];
type Missing = Exclude<PartnerRole, (typeof ROLES)[number]>;
const complete: Missing extends never ? true : false = true;
void complete;
