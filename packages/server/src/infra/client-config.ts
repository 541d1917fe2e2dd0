/**
 * Configuration of clients and registration: the personal-data key, confirmation codes and their
 * delivery channels. Read with the rest of the configuration (loadConfig), reported the same way.
 */
import type { ConfigVariable } from "./config.js";
import { envReader } from "./env-reader.js";

export interface SmsGatewayConfig {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
}

export interface ClientConfig {
  production: boolean;
  /** 32-byte key for personal data at rest; null on the embedded default (a key file is used). */
  piiKey: Buffer | null;
  piiKeyPrevious: Buffer | null;
  /** Where the generated key lives; null: next to the SQLite database file (or ./data). */
  piiKeyFile: string | null;
  smtpUrl: string | null;
  smtpFrom: string;
  smsGateway: SmsGatewayConfig | null;
  devCodesFile: string | null;
  codeTtlSeconds: number;
  codeMaxAttempts: number;
  resendCooldownSeconds: number;
  dailyCapPerDestination: number;
  dailyCapPerCredential: number;
}

export const CLIENT_CONFIG_VARIABLES: readonly ConfigVariable[] = [
  {
    name: "PII_KEY",
    default: "(generated into data/kopilka.key on the embedded default)",
    description:
      "Key for phones and e-mails at rest: 32 bytes as 64 hex digits or base64. Required with NODE_ENV=production",
  },
  {
    name: "PII_KEY_PREVIOUS",
    default: "(none)",
    description:
      "The key before a rotation: still decrypts and finds old rows until `kopilka pii:rekey` has run",
  },
  {
    name: "PII_KEY_FILE",
    default: "kopilka.key beside the SQLite file",
    description: "Key file used (and created, mode 0600, outside production) when PII_KEY is not set",
  },
  {
    name: "SMTP_URL",
    default: "(none)",
    description: "smtp://user:pass@host:587 or smtps://… for e-mailed codes",
  },
  { name: "SMTP_FROM", default: "kopilka@localhost", description: "Sender address of e-mailed codes" },
  {
    name: "SMS_GATEWAY_URL",
    default: "(none)",
    description: "HTTP endpoint of the SMS gateway; {phone} {code} {text} are replaced (URL-encoded)",
  },
  { name: "SMS_GATEWAY_METHOD", default: "POST", description: "HTTP method of the SMS gateway call" },
  {
    name: "SMS_GATEWAY_HEADERS",
    default: "{}",
    description:
      'JSON object of headers, e.g. {"Authorization":"Bearer …","Content-Type":"application/json"}',
  },
  {
    name: "SMS_GATEWAY_BODY",
    default: "(no body)",
    description:
      "Body template with {phone} {code} {text}; values are JSON-escaped for a JSON content type, URL-encoded for a form",
  },
  { name: "SMS_GATEWAY_TIMEOUT_MS", default: "5000", description: "How long to wait for the SMS gateway" },
  {
    name: "DEV_CODES_FILE",
    default: "(off)",
    description:
      "Development only: write confirmation codes to this file instead of sending them; refused in production",
  },
  { name: "CONFIRMATION_CODE_TTL_SECONDS", default: "300", description: "Lifetime of a confirmation code" },
  {
    name: "CONFIRMATION_MAX_ATTEMPTS",
    default: "5",
    description: "Wrong entries of a code before it locks (a new code must be sent)",
  },
  {
    name: "CONFIRMATION_RESEND_COOLDOWN_SECONDS",
    default: "60",
    description: "Least time between two codes to one phone or address",
  },
  {
    name: "CONFIRMATION_DAILY_CAP",
    default: "10",
    description: "Codes per phone or address per 24 hours",
  },
  {
    name: "CONFIRMATION_DAILY_CAP_PER_CREDENTIAL",
    default: "1000",
    description: "Codes one POS credential may request per 24 hours",
  },
];

/** Parses a 32-byte key given as 64 hex digits or as base64. */
export function parseKey(raw: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return Buffer.from(raw, "hex");
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(raw)) {
    const key = Buffer.from(raw.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (key.length === 32) return key;
  }
  return null;
}

export function loadClientConfig(env: NodeJS.ProcessEnv, problems: string[]): ClientConfig {
  const { read, int } = envReader(env, problems);
  const key = (name: string): Buffer | null => {
    const raw = read(name);
    if (raw === undefined) return null;
    const parsed = parseKey(raw);
    // The value itself is never echoed: it is a secret.
    if (!parsed) problems.push(`${name}: expected 32 bytes as 64 hex digits or base64`);
    return parsed;
  };
  const production = read("NODE_ENV") === "production";
  const devCodesFile = read("DEV_CODES_FILE") ?? null;
  if (production && devCodesFile !== null) {
    problems.push("DEV_CODES_FILE: writes codes in clear to a file; it is refused with NODE_ENV=production");
  }
  let smsGateway: SmsGatewayConfig | null = null;
  const smsUrl = read("SMS_GATEWAY_URL");
  if (smsUrl !== undefined) {
    if (!/^https?:\/\/.+/.test(smsUrl)) problems.push("SMS_GATEWAY_URL: expected http://… or https://…");
    let headers: Record<string, string> = {};
    const rawHeaders = read("SMS_GATEWAY_HEADERS");
    if (rawHeaders !== undefined) {
      try {
        const parsed = JSON.parse(rawHeaders) as unknown;
        if (
          typeof parsed !== "object" ||
          parsed === null ||
          Array.isArray(parsed) ||
          Object.values(parsed).some((v) => typeof v !== "string")
        ) {
          throw new Error("not an object of strings");
        }
        headers = parsed as Record<string, string>;
      } catch {
        problems.push('SMS_GATEWAY_HEADERS: expected a JSON object of strings, e.g. {"X-Api-Key":"…"}');
      }
    }
    smsGateway = {
      url: smsUrl,
      method: (read("SMS_GATEWAY_METHOD") ?? "POST").toUpperCase(),
      headers,
      body: env.SMS_GATEWAY_BODY && env.SMS_GATEWAY_BODY.length > 0 ? env.SMS_GATEWAY_BODY : null,
      timeoutMs: int("SMS_GATEWAY_TIMEOUT_MS", 5000, 100, 120_000),
    };
  }
  const smtpUrl = read("SMTP_URL") ?? null;
  if (smtpUrl !== null && !/^smtps?:\/\/.+/.test(smtpUrl)) {
    problems.push("SMTP_URL: expected smtp://host:port or smtps://user:pass@host:port");
  }
  return {
    production,
    piiKey: key("PII_KEY"),
    piiKeyPrevious: key("PII_KEY_PREVIOUS"),
    piiKeyFile: read("PII_KEY_FILE") ?? null,
    smtpUrl,
    smtpFrom: read("SMTP_FROM") ?? "kopilka@localhost",
    smsGateway,
    devCodesFile,
    codeTtlSeconds: int("CONFIRMATION_CODE_TTL_SECONDS", 300, 30, 86_400),
    codeMaxAttempts: int("CONFIRMATION_MAX_ATTEMPTS", 5, 1, 20),
    resendCooldownSeconds: int("CONFIRMATION_RESEND_COOLDOWN_SECONDS", 60, 0, 3_600),
    dailyCapPerDestination: int("CONFIRMATION_DAILY_CAP", 10, 1, 1_000),
    dailyCapPerCredential: int("CONFIRMATION_DAILY_CAP_PER_CREDENTIAL", 1_000, 1, 10_000_000),
  };
}
