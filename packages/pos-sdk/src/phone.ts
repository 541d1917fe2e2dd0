/**
 * Russian phone numbers as the server stores them, `+7XXXXXXXXXX`, from what a cashier types: `+7 916
 * 123-45-67`, `8 (916) 123 45 67`, `9161234567`. The same rules as the server's (`core/contacts.ts`), so
 * the till refuses a mistyped number before a round trip and the login it sends has no special characters.
 */
export function normalizePhone(input: string): string | null {
  const trimmed = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, "");
  let national: string | null = null;
  if (trimmed.startsWith("+")) {
    if (digits.length === 11 && digits.startsWith("7")) national = digits.slice(1);
  } else if (digits.length === 11 && (digits.startsWith("7") || digits.startsWith("8"))) {
    national = digits.slice(1);
  } else if (digits.length === 10) {
    national = digits;
  }
  if (national === null || !/^[3-9]/.test(national)) return null;
  return `+7${national}`;
}

export function looksLikeEmail(input: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.trim());
}
