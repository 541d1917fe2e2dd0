import { DomainError } from "./errors.js";

/** A batch that names one key twice is refused whole, naming the second occurrence. */
export function rejectDuplicates<T>(items: readonly T[], key: (item: T) => string, field: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) {
      throw new DomainError("DUPLICATE_ITEM", `${field} ${k} is listed twice`, {
        field: `items[${i}].${field}`,
      });
    }
    seen.add(k);
  });
}
