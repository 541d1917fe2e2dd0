/**
 * The admin API as the cabinet calls it: same-origin fetch with the session cookie, the CSRF token on
 * every change, the interface language as Accept-Language (the server words its errors in it), and every
 * error answer turned into an ApiError with the catalogue's code, message and details.
 */
import i18n from "../i18n/index.ts";

export const API_BASE = "/admin/v1";
const CSRF_COOKIE = "kopilka_csrf";
const UNSAFE = new Set(["POST", "PATCH", "PUT", "DELETE"]);

let csrfFromLogin: string | null = null;

/** Remembers the token the login answered, for browsers that keep no readable cookie. */
export function rememberCsrf(token: string | null): void {
  csrfFromLogin = token;
}

function csrfToken(): string | null {
  const cookie = document.cookie
    .split("; ")
    .find((c) => c.startsWith(`${CSRF_COOKIE}=`))
    ?.slice(CSRF_COOKIE.length + 1);
  return cookie ? decodeURIComponent(cookie) : csrfFromLogin;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
    /** Seconds to wait, from Retry-After (429, 503). */
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The form field the server blames, if any. */
  get field(): string | null {
    return typeof this.details.field === "string" ? this.details.field : null;
  }
}

/** Listeners for answers that change where the user must be: signed out, or a password to change. */
type SessionListener = (event: "signed-out" | "password-change-required") => void;
const sessionListeners = new Set<SessionListener>();
export function onSessionEvent(listener: SessionListener): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function api<T>(
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  query?: Query,
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", "accept-language": i18n.language };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (UNSAFE.has(method)) {
    const token = csrfToken();
    if (token) headers["x-csrf-token"] = token;
  }
  const response = await fetch(withQuery(`${API_BASE}${path}`, query), {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const payload: unknown = text ? safeJson(text) : null;
  if (response.ok) return payload as T;

  const error = payload as { code?: string; message?: string; details?: Record<string, unknown> } | null;
  const retryHeader = response.headers.get("retry-after");
  const retryAfterSeconds =
    retryHeader !== null && /^\d+$/.test(retryHeader)
      ? Number(retryHeader)
      : typeof error?.details?.retryAfterSeconds === "number"
        ? error.details.retryAfterSeconds
        : null;
  const failure = new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? response.statusText,
    error?.details ?? {},
    retryAfterSeconds,
  );
  if (response.status === 401 && !path.startsWith("/auth/login")) {
    for (const l of sessionListeners) l("signed-out");
  }
  if (failure.code === "PASSWORD_CHANGE_REQUIRED") {
    for (const l of sessionListeners) l("password-change-required");
  }
  throw failure;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
