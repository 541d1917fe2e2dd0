import { DomainError } from "../../kernel/errors.js";
import type { Principal } from "../../kernel/index.js";

/** Master data belongs to the whole chain: a credential bound to one store may not upload it. */
export function requireUnboundCredential(principal: Principal): void {
  if (principal.storeId !== null) {
    throw new DomainError("FORBIDDEN", "a store-bound credential cannot change the partner's master data");
  }
}
