import { CLIENT_CONFIG_VARIABLES, type ClientConfig, loadClientConfig } from "./client-config.js";
import { envReader } from "./env-reader.js";

/**
 * Configuration comes only from environment variables, validated once at start. Every bad value is
 * reported together, each with the variable's name, so an operator fixes them in one pass.
 */

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** auto: human-readable on a terminal, JSON lines otherwise. */
  logFormat: "auto" | "json" | "pretty";
  /** NODE_ENV=production: no demo data, no demo credentials. */
  production: boolean;
  tokenTtlSeconds: number;
  tokenSecret: string | null;
  authCacheTtlMs: number;
  /** Event-loop delay (ms) above which API requests are refused with 503 OVERLOADED; 0 never sheds. */
  overloadMaxLoopDelayMs: number;
  /** API requests one process works on at once; one beyond them is refused with 503 OVERLOADED; 0: no limit. */
  overloadMaxInFlight: number;
  /** How long (ms) a request may wait behind others before it is refused with 503 OVERLOADED; 0: never, no queue. */
  overloadMaxQueueMs: number;
  /** Products each process keeps in memory for pricing (ProductDirectory). */
  productCacheSize: number;
  bodyLimitBytes: number;
  sweeperIntervalMs: number;
  demoData: boolean;
  dbPoolSize: number;
  sqliteCheckpointIntervalMs: number;
  sqliteSoftWriteThread: boolean;
  shutdownDrainMs: number;
  shutdownTimeoutMs: number;
  /** Personal-data key, confirmation codes, delivery channels (client-config.ts). */
  clients: ClientConfig;
  /** Login throttling, shared by cabinet users and POS credentials. */
  loginMaxFailures: number;
  loginAddressMaxFailures: number;
  loginFailureWindowSeconds: number;
  loginLockSeconds: number;
  adminSessionIdleSeconds: number;
  adminSessionMaxSeconds: number;
  adminCookieSecure: boolean;
}

export interface ConfigVariable {
  name: string;
  default: string;
  description: string;
}

/** The table the README shows; keep it the single source of names, defaults and meanings. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: "HOST", default: "127.0.0.1", description: "Address to listen on (0.0.0.0 in a container)" },
  { name: "PORT", default: "8080", description: "TCP port" },
  {
    name: "DATABASE_URL",
    default: "sqlite:./data/kopilka.db",
    description: "sqlite:PATH for the embedded database, or postgres://user:pass@host:port/db",
  },
  { name: "LOG_LEVEL", default: "info", description: "fatal, error, warn, info, debug, trace or silent" },
  {
    name: "LOG_FORMAT",
    default: "auto",
    description:
      "json (one JSON line per event), pretty (for people), or auto: pretty on a terminal, else json",
  },
  {
    name: "NODE_ENV",
    default: "(unset)",
    description: "production: no demo data, and no start while a demo login still has its public secret",
  },
  { name: "TOKEN_TTL_SECONDS", default: "43200", description: "Lifetime of a POS bearer token" },
  {
    name: "TOKEN_SECRET",
    default: "(generated, kept in the database)",
    description: "HMAC key for bearer tokens, at least 32 characters; set it to rotate the key",
  },
  {
    name: "AUTH_CACHE_TTL_MS",
    default: "30000",
    description: "How long a credential's enabled state is cached; a disabled credential stops within this",
  },
  { name: "BODY_LIMIT_BYTES", default: "1048576", description: "Largest accepted request body" },
  {
    name: "SWEEPER_INTERVAL_MS",
    default: "15000",
    description: "How often hanging purchases expire, pending points activate and lots expire; 0 disables",
  },
  {
    name: "DEMO_DATA",
    default: "true for SQLite, false for PostgreSQL",
    description: "Load demo data into an empty database at start; false and refused with NODE_ENV=production",
  },
  { name: "DB_POOL_SIZE", default: "10", description: "PostgreSQL connections per process" },
  {
    name: "SQLITE_CHECKPOINT_INTERVAL_MS",
    default: "100",
    description:
      "How often a server's worker thread copies the embedded database's log into its file; 0: the committing connection does it, as SQLite does by default",
  },
  {
    name: "SQLITE_SOFT_WRITE_THREAD",
    default: "false",
    description:
      "Embedded database: insert the calculations written behind their answer on a worker thread of their own (calculate +12–19 %, about 10 MB more memory; see ARCHITECTURE.md)",
  },
  {
    name: "SHUTDOWN_DRAIN_MS",
    default: "1000",
    description:
      "On SIGTERM, how long to keep listening with /health/ready at 503 and connections closing (see ARCHITECTURE.md)",
  },
  {
    name: "SHUTDOWN_TIMEOUT_MS",
    default: "10000",
    description: "How long in-flight requests may finish on SIGTERM after the drain",
  },
  ...CLIENT_CONFIG_VARIABLES,
  {
    name: "LOGIN_MAX_FAILURES",
    default: "10",
    description:
      "Wrong passwords or secrets for one cabinet e-mail or POS login, within the window, before it is locked",
  },
  {
    name: "LOGIN_ADDRESS_MAX_FAILURES",
    default: "100",
    description: "Failed logins from one client address, within the window, before the address is locked",
  },
  {
    name: "LOGIN_FAILURE_WINDOW_SECONDS",
    default: "900",
    description: "The window in which failed logins are counted",
  },
  {
    name: "LOGIN_LOCK_SECONDS",
    default: "900",
    description: "How long a locked login or address is refused (429 with Retry-After)",
  },
  {
    name: "ADMIN_SESSION_IDLE_SECONDS",
    default: "1800",
    description: "A cabinet session unused this long ends",
  },
  {
    name: "ADMIN_SESSION_MAX_SECONDS",
    default: "43200",
    description: "A cabinet session ends this long after login, however active",
  },
  {
    name: "ADMIN_COOKIE_SECURE",
    default: "false",
    description:
      "Mark the cabinet's session cookie Secure even when the request came over plain HTTP (set it behind a TLS proxy)",
  },
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const LOG_FORMATS = ["auto", "json", "pretty"] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const { read, int, bool } = envReader(env, problems);

  const databaseUrl = read("DATABASE_URL") ?? "sqlite:./data/kopilka.db";
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    problems.push(
      `DATABASE_URL: expected sqlite:PATH or postgres://…, got ${JSON.stringify(redactUrl(databaseUrl))}`,
    );
  }
  const logLevel = (read("LOG_LEVEL") ?? "info") as Config["logLevel"];
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: expected one of ${LOG_LEVELS.join(", ")}`);
  const tokenSecret = read("TOKEN_SECRET") ?? null;
  if (tokenSecret !== null && tokenSecret.length < 32)
    problems.push("TOKEN_SECRET: must be at least 32 characters");
  const host = read("HOST") ?? "127.0.0.1";
  const logFormat = (read("LOG_FORMAT")?.toLowerCase() ?? "auto") as Config["logFormat"];
  if (!LOG_FORMATS.includes(logFormat))
    problems.push(`LOG_FORMAT=${JSON.stringify(logFormat)}: expected one of ${LOG_FORMATS.join(", ")}`);
  const production = read("NODE_ENV") === "production";
  const demoData = bool("DEMO_DATA", databaseUrl.startsWith("sqlite:") && !production);
  if (production && demoData)
    problems.push(
      "DEMO_DATA=true with NODE_ENV=production: demo data has logins with public secrets; unset DEMO_DATA (or set it to false)",
    );

  const config: Config = {
    host,
    port: int("PORT", 8080, 0, 65535),
    databaseUrl,
    logLevel,
    logFormat,
    production,
    tokenTtlSeconds: int("TOKEN_TTL_SECONDS", 43_200, 60, 31 * 86_400),
    tokenSecret,
    authCacheTtlMs: int("AUTH_CACHE_TTL_MS", 30_000, 0, 60_000),
    overloadMaxLoopDelayMs: int("OVERLOAD_MAX_LOOP_DELAY_MS", 200, 0, 60_000),
    overloadMaxInFlight: int("OVERLOAD_MAX_IN_FLIGHT", 64, 0, 100_000),
    overloadMaxQueueMs: int("OVERLOAD_MAX_QUEUE_MS", 100, 0, 60_000),
    productCacheSize: int("PRODUCT_CACHE_SIZE", 100_000, 0, 10_000_000),
    bodyLimitBytes: int("BODY_LIMIT_BYTES", 1_048_576, 1024, 64 * 1_048_576),
    sweeperIntervalMs: int("SWEEPER_INTERVAL_MS", 15_000, 0, 3_600_000),
    demoData,
    dbPoolSize: int("DB_POOL_SIZE", 10, 1, 500),
    sqliteCheckpointIntervalMs: int("SQLITE_CHECKPOINT_INTERVAL_MS", 100, 0, 60_000),
    sqliteSoftWriteThread: bool("SQLITE_SOFT_WRITE_THREAD", false),
    shutdownDrainMs: int("SHUTDOWN_DRAIN_MS", 1000, 0, 120_000),
    shutdownTimeoutMs: int("SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    clients: loadClientConfig(env, problems),
    loginMaxFailures: int("LOGIN_MAX_FAILURES", 10, 1, 1000),
    loginAddressMaxFailures: int("LOGIN_ADDRESS_MAX_FAILURES", 100, 1, 100_000),
    loginFailureWindowSeconds: int("LOGIN_FAILURE_WINDOW_SECONDS", 900, 1, 86_400),
    loginLockSeconds: int("LOGIN_LOCK_SECONDS", 900, 1, 86_400),
    adminSessionIdleSeconds: int("ADMIN_SESSION_IDLE_SECONDS", 1800, 60, 7 * 86_400),
    adminSessionMaxSeconds: int("ADMIN_SESSION_MAX_SECONDS", 43_200, 60, 31 * 86_400),
    adminCookieSecure: bool("ADMIN_COOKIE_SECURE", false),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** A database URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
