/**
 * What changed between two versions of an entity as the audit log keeps them: one row per leaf path
 * whose value differs (added, removed or changed), in a stable order.
 */
export interface DiffRow {
  path: string;
  before: unknown;
  after: unknown;
  kind: "added" | "removed" | "changed" | "same";
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

export function diffEntities(before: unknown, after: unknown, includeSame = false): DiffRow[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  if (before !== null && before !== undefined) flatten(before, "", a);
  if (after !== null && after !== undefined) flatten(after, "", b);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  const rows: DiffRow[] = [];
  for (const path of paths) {
    const had = a.has(path);
    const has = b.has(path);
    const x = a.get(path);
    const y = b.get(path);
    const kind = !had
      ? "added"
      : !has
        ? "removed"
        : JSON.stringify(x) === JSON.stringify(y)
          ? "same"
          : "changed";
    if (kind !== "same" || includeSame) rows.push({ path: path || "(value)", before: x, after: y, kind });
  }
  return rows;
}
