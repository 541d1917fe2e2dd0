/**
 * Structured logs (pino). Personal data never reaches a log line in clear: the redaction paths below
 * cover request bodies and headers, and code that logs a phone or email must pass it through maskPhone /
 * maskEmail first.
 */
import { type Logger, pino } from "pino";

export const REDACTED_PATHS = [
  "req.headers.authorization",
  "*.secret",
  "*.password",
  "*.code",
  "*.phone",
  "*.email",
  "*.token",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "kopilka" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}

/** +79161234567 → +7916***4567 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  if (digits.length < 7) return "***";
  return `+${digits.slice(0, 4)}***${digits.slice(-4)}`;
}

/** ivan.petrov@mail.ru → i***@mail.ru */
export function maskEmail(email: string): string {
  const at = email.indexOf("@");
  if (at < 1) return "***";
  return `${email[0]}***${email.slice(at)}`;
}
