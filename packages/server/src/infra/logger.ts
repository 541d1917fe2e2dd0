/**
 * Structured logs (pino): one JSON line per event on stdout, or a human-readable form for a person at a
 * terminal. Personal data and secrets never reach a log line in clear: the paths below are censored
 * (phones and e-mails masked, the rest replaced), and code that logs a phone or an e-mail under another
 * name must pass it through maskPhone / maskEmail first.
 *
 * The paths are exact on purpose: a blanket `*.code` would also erase `err.code` (SQLITE_BUSY, ECONNRESET)
 * and `store.code`, which an operator needs.
 */
import { type Logger, pino } from "pino";
import pretty from "pino-pretty";

const SECRET_KEYS = [
  "secret",
  "password",
  "newPassword",
  "currentPassword",
  "token",
  "accessToken",
  "refreshToken",
  "sessionToken",
  "csrfToken",
  "confirmationCode",
  "otp",
];
const PHONE_KEYS = ["phone"];
const EMAIL_KEYS = ["email"];

/** A key at the top of a log object and one level down (`{secret}`, `{credential: {secret}}`). */
const atTopAndBelow = (keys: string[]) => keys.flatMap((k) => [k, `*.${k}`]);

export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  ...atTopAndBelow(SECRET_KEYS),
  ...atTopAndBelow(PHONE_KEYS),
  ...atTopAndBelow(EMAIL_KEYS),
];

function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? "";
  if (typeof value === "string" && PHONE_KEYS.includes(key)) return maskPhone(value);
  if (typeof value === "string" && EMAIL_KEYS.includes(key)) return maskEmail(value);
  return "[redacted]";
}

export type LogFormat = "auto" | "json" | "pretty";

export interface LoggerOptions {
  /** Where the lines go; stdout when absent. */
  destination?: pino.DestinationStream;
  /** auto: pretty when stdout is a terminal. */
  format?: LogFormat;
}

export function createLogger(
  level: string,
  destinationOrOptions?: pino.DestinationStream | LoggerOptions,
): Logger {
  const options: LoggerOptions =
    destinationOrOptions && "write" in destinationOrOptions
      ? { destination: destinationOrOptions }
      : (destinationOrOptions ?? {});
  const format = options.format ?? "json";
  const human = format === "pretty" || (format === "auto" && process.stdout.isTTY === true);
  const destination = human
    ? pretty({
        colorize: options.destination === undefined && process.stdout.isTTY === true,
        translateTime: "SYS:HH:MM:ss.l",
        ignore: "pid,hostname,service",
        sync: true,
        ...(options.destination ? { destination: options.destination } : {}),
      })
    : options.destination;
  return pino(
    {
      level,
      base: { service: "kopilka" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor },
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
