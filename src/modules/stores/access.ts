import type { Principal } from "../../app/context.js";
import { ApiError } from "../../http/errors.js";

/** Master data belongs to the whole chain: a credential bound to one store may not upload it. */
export function requireUnboundCredential(principal: Principal): void {
  if (principal.storeId !== null) {
    throw new ApiError("FORBIDDEN", "a store-bound credential cannot change the partner's master data");
  }
}
