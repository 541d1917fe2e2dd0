/**
 * A pack's DataMatrix code as the POS read it (GS1: AI 01 with the GTIN-14, serial, crypto tail; GS
 * separators kept) → the product code the programs list. Symbology identifiers (]d2, ]C1) and a leading
 * FNC1/GS are dropped; the GTIN-14 that starts with 0 is the EAN-13 without it.
 */
export function gtinOfDataMatrix(raw: string): string | null {
  let s = raw;
  if (s.startsWith("]d2") || s.startsWith("]C1") || s.startsWith("]Q3")) s = s.slice(3);
  while (s.startsWith("\u001d") || s.startsWith("\u00e8")) s = s.slice(1);
  const m = /^01([0-9]{14})/.exec(s);
  if (!m) return null;
  const gtin = m[1]!;
  return gtin.startsWith("0") ? gtin.slice(1) : gtin;
}
