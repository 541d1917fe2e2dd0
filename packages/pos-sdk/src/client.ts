/**
 * A typed client of the native POS API (`/v1`). One instance per till: it keeps the bearer token and
 * renews it before it expires and once on a 401; every call has its own timeout (the customer is
 * waiting), sends `Accept-Language`, and fails with a typed error (see `errors.ts`).
 */
import type { Language } from "@kopilka/contract";
import {
  type KopilkaError,
  LOCAL_MESSAGES,
  OutcomeUnknownError,
  SDK_DEFAULT_LANGUAGE,
  ServerRejectedError,
  ServerUnavailableError,
  ServerUnreachableError,
} from "./errors.js";
import type {
  AttachCardRequest,
  CalculateRequest,
  CancelView,
  Card,
  CardListAnswer,
  Client,
  Confirmation,
  ConfirmOutcome,
  ConfirmRequest,
  ConfirmView,
  HangingView,
  Identification,
  IdentifyRequest,
  LedgerAnswer,
  LevelUpgrade,
  Program,
  PromoCodeCheck,
  PromoCodeCheckRequest,
  PurchaseDetail,
  PurchaseView,
  RefundRequest,
  RefundView,
  RegisterClientRequest,
  Registration,
  Replayable,
  Settings,
  TokenAnswer,
} from "./types.js";

/**
 * Default timeout of each call, milliseconds. A card lookup must not keep the customer waiting: after 3 s
 * the till sells without the card. Calls made after the fiscal receipt get longer, and the outbox retries
 * them anyway.
 */
export const DEFAULT_TIMEOUTS = {
  token: 5_000,
  card: 3_000,
  findCards: 3_000,
  cardLedger: 5_000,
  levelUpgrade: 5_000,
  checkPromoCode: 3_000,
  calculate: 5_000,
  bonusPayment: 5_000,
  confirm: 10_000,
  cancel: 10_000,
  refund: 10_000,
  purchase: 5_000,
  programs: 5_000,
  settings: 5_000,
  register: 10_000,
  confirmCode: 10_000,
  resendCode: 10_000,
  identify: 10_000,
  client: 5_000,
  attachCard: 10_000,
  health: 1_000,
} as const;

export type Operation = keyof typeof DEFAULT_TIMEOUTS;

/** Operations that fail at once, without a request, while the server is known to be unreachable. */
const FAIL_FAST_WHEN_OFFLINE: ReadonlySet<string> = new Set(["card", "findCards"]);

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export interface KopilkaClientOptions {
  /** The server's base address, e.g. `https://loyalty.example.ru` (no trailing `/v1`). */
  baseUrl: string;
  login: string;
  secret: string;
  /** The language of error messages (Accept-Language); Russian by default, for the cashier. */
  language?: Language;
  /** Per-call timeouts overriding `DEFAULT_TIMEOUTS`. */
  timeouts?: Partial<Record<Operation, number>>;
  /** Renew the token this long before it expires (default: 5 minutes, or a tenth of its life if shorter). */
  renewBeforeMs?: number;
  /** While offline, card lookups fail at once; the server is probed at most this often (default 2 s). */
  offlineProbeIntervalMs?: number;
  /** For tests and special transports; the global `fetch` by default. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; `Date.now` by default. */
  now?: () => number;
}

export interface CallOptions {
  /** Overrides the operation's timeout for this call. */
  timeoutMs?: number;
  /** Cancels the call (the till's own abort: the cashier pressed Esc). */
  signal?: AbortSignal;
}

interface Answer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

const path = (strings: TemplateStringsArray, ...values: (string | number)[]) =>
  strings.reduce(
    (out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ""),
    "",
  );

export class KopilkaClient {
  readonly language: Language;
  private readonly baseUrl: string;
  private readonly timeouts: Record<Operation, number>;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private token: { value: string; renewAt: number } | null = null;
  private tokenRequest: Promise<string> | null = null;
  private offlineSince: number | null = null;
  private lastProbeAt = 0;
  private probing = false;

  constructor(private readonly options: KopilkaClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.language = options.language ?? SDK_DEFAULT_LANGUAGE;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** True after a call could not reach the server, until one gets any answer from it. */
  get offline(): boolean {
    return this.offlineSince !== null;
  }

  timeoutOf(operation: Operation): number {
    return this.timeouts[operation];
  }

  // ── cards ────────────────────────────────────────────────────────────────────────────────────────────

  /** A card by number or barcode: status, level, balance. */
  async card(number: string, options?: CallOptions): Promise<Card> {
    return (await this.call<Card>("card", "GET", path`/v1/cards/${number}`, undefined, options)).body;
  }

  /** Cards by number or barcode, each with its holder's `clientId`. */
  async findCards(number: string, options?: CallOptions): Promise<CardListAnswer> {
    const q = `/v1/cards?number=${encodeURIComponent(number)}`;
    return (await this.call<CardListAnswer>("findCards", "GET", q, undefined, options)).body;
  }

  async cardLedger(number: string, limit = 50, options?: CallOptions): Promise<LedgerAnswer> {
    const p = `${path`/v1/cards/${number}/ledger`}?limit=${limit}`;
    return (await this.call<LedgerAnswer>("cardLedger", "GET", p, undefined, options)).body;
  }

  /**
   * The card's level against its purchases: what it is, what it reaches, what is missing for the next;
   * with `apply` the card moves up now when it qualifies (seed 004's "check, then apply").
   */
  async levelUpgrade(number: string, apply = false, options?: CallOptions): Promise<LevelUpgrade> {
    const p = path`/v1/cards/${number}/level-upgrade`;
    return (await this.call<LevelUpgrade>("levelUpgrade", "POST", p, { apply }, options)).body;
  }

  /** Whether a promo code is usable (for this card and, given a receipt, for its lines), with why not. */
  async checkPromoCode(request: PromoCodeCheckRequest, options?: CallOptions): Promise<PromoCodeCheck> {
    return (
      await this.call<PromoCodeCheck>("checkPromoCode", "POST", "/v1/promo-codes/check", request, options)
    ).body;
  }

  // ── purchases ────────────────────────────────────────────────────────────────────────────────────────

  async calculate(request: CalculateRequest, options?: CallOptions): Promise<PurchaseView> {
    return (await this.call<PurchaseView>("calculate", "POST", "/v1/purchases/calculate", request, options))
      .body;
  }

  async bonusPayment(purchaseId: string, amount: number, options?: CallOptions): Promise<PurchaseView> {
    const p = path`/v1/purchases/${purchaseId}/bonus-payment`;
    return (await this.call<PurchaseView>("bonusPayment", "POST", p, { amount }, options)).body;
  }

  /** Confirm: 200 applied, or 202 kept hanging for an operator (a late confirm that did not match). */
  async confirm(purchaseId: string, request: ConfirmRequest, options?: CallOptions): Promise<ConfirmOutcome> {
    const p = path`/v1/purchases/${purchaseId}/confirm`;
    const answer = await this.call<ConfirmView | HangingView>("confirm", "POST", p, request, options);
    return answer.status === 202
      ? { kind: "hanging", view: answer.body as HangingView, replayed: answer.replayed }
      : { kind: "confirmed", view: answer.body as ConfirmView, replayed: answer.replayed };
  }

  async cancel(purchaseId: string, options?: CallOptions): Promise<Replayable<CancelView>> {
    const p = path`/v1/purchases/${purchaseId}/cancel`;
    const answer = await this.call<CancelView>("cancel", "POST", p, undefined, options);
    return { view: answer.body, replayed: answer.replayed };
  }

  async refund(
    purchaseId: string,
    request: RefundRequest,
    options?: CallOptions,
  ): Promise<Replayable<RefundView>> {
    const p = path`/v1/purchases/${purchaseId}/refunds`;
    const answer = await this.call<RefundView>("refund", "POST", p, request, options);
    return { view: answer.body, replayed: answer.replayed };
  }

  async purchase(purchaseId: string, options?: CallOptions): Promise<PurchaseDetail> {
    const p = path`/v1/purchases/${purchaseId}`;
    return (await this.call<PurchaseDetail>("purchase", "GET", p, undefined, options)).body;
  }

  // ── programs, settings, clients ──────────────────────────────────────────────────────────────────────

  async programs(options?: CallOptions): Promise<Program[]> {
    return (await this.call<{ programs: Program[] }>("programs", "GET", "/v1/programs", undefined, options))
      .body.programs;
  }

  async settings(programCode?: string, options?: CallOptions): Promise<Settings> {
    const q = programCode === undefined ? "" : `?programCode=${encodeURIComponent(programCode)}`;
    return (await this.call<Settings>("settings", "GET", `/v1/settings${q}`, undefined, options)).body;
  }

  async registerClient(request: RegisterClientRequest, options?: CallOptions): Promise<Registration> {
    return (await this.call<Registration>("register", "POST", "/v1/clients", request, options)).body;
  }

  async confirmRegistration(confirmationId: string, code: string, options?: CallOptions) {
    const p = path`/v1/clients/registrations/${confirmationId}/confirm`;
    return (await this.call<Registration>("confirmCode", "POST", p, { code }, options)).body;
  }

  async resendCode(confirmationId: string, options?: CallOptions): Promise<Confirmation> {
    const p = path`/v1/confirmations/${confirmationId}/resend`;
    return (await this.call<Confirmation>("resendCode", "POST", p, undefined, options)).body;
  }

  async identify(request: IdentifyRequest, options?: CallOptions): Promise<Identification> {
    return (await this.call<Identification>("identify", "POST", "/v1/identifications", request, options))
      .body;
  }

  async confirmIdentification(confirmationId: string, code: string, options?: CallOptions) {
    const p = path`/v1/identifications/${confirmationId}/confirm`;
    return (await this.call<Identification>("confirmCode", "POST", p, { code }, options)).body;
  }

  async client(clientId: number, options?: CallOptions): Promise<Client> {
    return (await this.call<Client>("client", "GET", path`/v1/clients/${clientId}`, undefined, options)).body;
  }

  async clientCards(clientId: number, options?: CallOptions): Promise<CardListAnswer> {
    const p = path`/v1/clients/${clientId}/cards`;
    return (await this.call<CardListAnswer>("client", "GET", p, undefined, options)).body;
  }

  async attachCard(clientId: number, request: AttachCardRequest, options?: CallOptions) {
    const p = path`/v1/clients/${clientId}/cards`;
    return (await this.call<CardListAnswer>("attachCard", "POST", p, request, options)).body;
  }

  /**
   * Any other endpoint of the POS API, authenticated, timed and with typed errors, for calls the SDK does
   * not wrap yet (an endpoint newer than this SDK). Give the answer's type yourself.
   */
  async request<T>(
    operation: Operation,
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    apiPath: string,
    body?: unknown,
    options?: CallOptions,
  ): Promise<{ status: number; body: T; replayed: boolean }> {
    return this.call<T>(operation, method, apiPath, body, options);
  }

  // ── the token ────────────────────────────────────────────────────────────────────────────────────────

  /** A valid bearer token: the kept one, or a new one when it is about to expire. One request at a time. */
  async bearer(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    this.tokenRequest ??= this.issueToken().finally(() => {
      this.tokenRequest = null;
    });
    return this.tokenRequest;
  }

  /** Forget the token (the next call gets a new one). */
  dropToken(): void {
    this.token = null;
  }

  private async issueToken(): Promise<string> {
    const requestedAt = this.now();
    const answer = await this.send<TokenAnswer>(
      "token",
      "POST",
      "/v1/auth/token",
      { login: this.options.login, secret: this.options.secret },
      null,
    );
    const lifeMs = answer.body.expiresIn * 1000;
    // Counted from the local clock at the request, so a skewed server clock does not matter.
    const margin = this.options.renewBeforeMs ?? Math.min(300_000, lifeMs / 10);
    this.token = { value: answer.body.accessToken, renewAt: requestedAt + lifeMs - margin };
    return this.token.value;
  }

  // ── transport ────────────────────────────────────────────────────────────────────────────────────────

  private async call<T>(
    operation: Operation,
    method: string,
    apiPath: string,
    body: unknown,
    options: CallOptions | undefined,
  ): Promise<Answer<T>> {
    if (this.offlineSince !== null && FAIL_FAST_WHEN_OFFLINE.has(operation)) {
      this.probe();
      throw new ServerUnreachableError(operation, "OFFLINE", this.language);
    }
    const token = await this.bearer();
    try {
      return await this.send<T>(operation, method, apiPath, body, token, options);
    } catch (error) {
      // An expired or revoked token (the server restarted with a new key, the clock jumped): once more.
      if (error instanceof ServerRejectedError && error.status === 401 && error.code === "UNAUTHORIZED") {
        this.dropToken();
        return this.send<T>(operation, method, apiPath, body, await this.bearer(), options);
      }
      throw error;
    }
  }

  private async send<T>(
    operation: Operation,
    method: string,
    apiPath: string,
    body: unknown,
    token: string | null,
    options?: CallOptions,
  ): Promise<Answer<T>> {
    const timeoutMs = options?.timeoutMs ?? this.timeouts[operation];
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options?.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const headers: Record<string, string> = { accept: "application/json", "accept-language": this.language };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let status: number;
    let text: string;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${apiPath}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw this.transportError(operation, error, timeout, timeoutMs, options?.signal);
    }
    this.offlineSince = null;
    let parsed: unknown;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (status >= 200 && status < 300) {
      if (parsed === undefined || parsed === null)
        throw new OutcomeUnknownError(operation, "bad-answer", this.language, null);
      return {
        status,
        body: parsed as T,
        replayed: response.headers.get("idempotent-replayed") === "true",
      };
    }
    throw this.answerError(operation, status, parsed, response.headers);
  }

  private answerError(operation: Operation, status: number, parsed: unknown, headers: Headers): KopilkaError {
    const error =
      parsed && typeof parsed === "object" && typeof (parsed as { code?: unknown }).code === "string"
        ? (parsed as { code: string; message?: string; details?: Record<string, unknown> })
        : null;
    const code = error?.code ?? `HTTP_${status}`;
    const details = error?.details ?? {};
    if (status >= 500 || status === 408) {
      const retryAfter = Number(headers.get("retry-after"));
      const message = error?.message ?? LOCAL_MESSAGES.unavailable[this.language];
      return new ServerUnavailableError(
        operation,
        status,
        code,
        message,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
        details,
      );
    }
    return new ServerRejectedError(
      operation,
      status,
      code,
      error?.message ?? `HTTP ${status}`,
      details,
      headers.get("x-request-id"),
    );
  }

  private transportError(
    operation: Operation,
    error: unknown,
    timeout: AbortSignal,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
  ): unknown {
    if (callerSignal?.aborted && !timeout.aborted) return error;
    if (timeout.aborted) {
      this.goneOffline();
      return new OutcomeUnknownError(operation, "timeout", this.language, timeoutMs, { cause: error });
    }
    const code = causeCode(error);
    if (code && UNREACHABLE_CODES.has(code)) {
      this.goneOffline();
      return new ServerUnreachableError(operation, code, this.language, { cause: error });
    }
    return new OutcomeUnknownError(operation, "connection-lost", this.language, null, { cause: error });
  }

  private goneOffline(): void {
    this.offlineSince ??= this.now();
    this.lastProbeAt = this.now();
  }

  /** While offline: one quick health probe at a time, at most every `offlineProbeIntervalMs`. */
  private probe(): void {
    const interval = this.options.offlineProbeIntervalMs ?? 2_000;
    if (this.probing || this.now() - this.lastProbeAt < interval) return;
    this.probing = true;
    this.lastProbeAt = this.now();
    this.fetchImpl(`${this.baseUrl}/health/live`, { signal: AbortSignal.timeout(this.timeouts.health) })
      .then(async (res) => {
        await res.body?.cancel();
        this.offlineSince = null;
      })
      .catch(() => {})
      .finally(() => {
        this.probing = false;
      });
  }

  /** Clears the offline mark and waits for one probe: true when the server answers. */
  async checkOnline(): Promise<boolean> {
    try {
      const res = await this.fetchImpl(`${this.baseUrl}/health/live`, {
        signal: AbortSignal.timeout(this.timeouts.health),
      });
      await res.body?.cancel();
      this.offlineSince = null;
      return true;
    } catch {
      this.goneOffline();
      return false;
    }
  }
}

function causeCode(error: unknown): string | null {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}
