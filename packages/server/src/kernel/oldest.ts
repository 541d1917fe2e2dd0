/**
 * Makes room in a bounded cache kept as a Map: drops its oldest tenth (insertion order), at least one entry.
 * The entries still in use come back at their next miss.
 */
export function dropOldestTenth<K, V>(map: Map<K, V>): void {
  let drop = Math.max(1, Math.floor(map.size / 10));
  for (const key of map.keys()) {
    map.delete(key);
    if (--drop === 0) break;
  }
}
