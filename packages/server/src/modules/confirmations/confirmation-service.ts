/**
 * Confirmation codes, for any purpose (registration, identification, later PharmApi `register` and
 * `confirm_code`) and any subject the caller names. A code is random digits (crypto), stored only as an
 * HMAC bound to its confirmation, compared in constant time, valid for a few minutes and for a few wrong
 * entries; then it locks and only a new code (a re-send) helps. Sends are throttled per destination
 * (cooldown and a daily cap) and per POS credential (a daily cap). No code is logged or answered.
 */
import { randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import type { Database, Trx } from "../../infra/db/database.js";
import type { PersonalDataCipher } from "../../infra/pii.js";
import type { Clock } from "../../kernel/clock.js";
import { DomainError } from "../../kernel/errors.js";
import { type ChannelKind, DeliveryError, maskDestination, type Notifier } from "../notifications/index.js";

const DAY_MS = 86_400_000;

export interface ConfirmationSettings {
  codeLength: number;
  ttlMs: number;
  maxAttempts: number;
  resendCooldownMs: number;
  dailyCapPerDestination: number;
  dailyCapPerCredential: number;
}

export interface ConfirmationRequest {
  partnerId: number;
  credentialId: number | null;
  purpose: string;
  /** What the code confirms, opaque to this module (a client id, a login hash). */
  subject: string;
  /** Kept encrypted until the code is entered (e.g. a registration form). */
  payload?: unknown;
  channel: ChannelKind;
  /** Normalized phone or e-mail address. */
  destination: string;
  /**
   * False when there is nobody to send to (an unknown phone during identification): the answer looks
   * the same, nothing is sent and no code can ever match.
   */
  deliver: boolean;
  /**
   * The code is answered to the caller instead of sent: a trusted pharmacy that checked the customer's
   * phone itself (PharmApi's register with the partner's trust_key) passes it on to confirm_code.
   */
  handOver?: boolean;
}

export interface PendingConfirmation {
  confirmationId: string;
  channel: ChannelKind;
  /** Masked: +7916***4567, i***@mail.ru. */
  destination: string;
  expiresAt: string;
  resendAfterSeconds: number;
}

export interface ConfirmedCode {
  rowId: number;
  subject: string;
  payload: unknown;
  /** Where the code went: the contact it proves. */
  channel: ChannelKind;
  /** Set when the confirmation was already used: what the first use produced (a replay). */
  result: string | null;
}

export type CodeCheck = { ok: true; confirmed: ConfirmedCode } | { ok: false; error: DomainError };

type ThrottleSnapshot = { key: string; lastSentAt: number };

export class ConfirmationService {
  constructor(
    private readonly database: Database,
    private readonly cipher: PersonalDataCipher,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    readonly settings: ConfirmationSettings,
  ) {}

  private newCode(): string {
    return String(randomInt(0, 10 ** this.settings.codeLength)).padStart(this.settings.codeLength, "0");
  }

  private requireChannel(channel: ChannelKind): void {
    if (!this.notifier.has(channel)) {
      throw new DomainError("DELIVERY_CHANNEL_NOT_CONFIGURED", `no ${channel} channel is configured`, {
        channel,
      });
    }
  }

  /**
   * Creates a confirmation and sends its code, or answers it (`handOver`). Throws RATE_LIMITED,
   * CODE_DELIVERY_FAILED.
   */
  async start(request: ConfirmationRequest): Promise<PendingConfirmation & { code?: string }> {
    this.requireChannel(request.channel);
    const now = this.clock.now();
    const confirmationId = randomUUID();
    const code = this.newCode();
    const destinationHash = this.cipher.hash(`${request.channel}:${request.destination}`);
    const expiresAt = now + this.settings.ttlMs;
    const snapshot = await this.database.transaction(async (trx) => {
      const before = await this.throttle(trx, destinationHash, request.credentialId, now);
      await trx
        .insertInto("confirmations")
        .values({
          public_id: confirmationId,
          partner_id: request.partnerId,
          credential_id: request.credentialId,
          purpose: request.purpose,
          subject: request.subject,
          payload:
            request.payload === undefined ? null : this.cipher.encrypt(JSON.stringify(request.payload)),
          channel: request.channel,
          destination_hash: destinationHash,
          destination_enc: this.cipher.encrypt(request.destination),
          deliver: request.deliver ? 1 : 0,
          code_hash: request.deliver || request.handOver ? this.cipher.codeHash(confirmationId, code) : null,
          state: "pending",
          attempts: 0,
          sends: 1,
          result: null,
          expires_at: expiresAt,
          last_sent_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return before;
    });
    if (request.deliver)
      await this.deliver(confirmationId, request.channel, request.destination, code, snapshot, now);
    const pending = this.pending(confirmationId, request.channel, request.destination, expiresAt);
    return request.handOver && !request.deliver ? { ...pending, code } : pending;
  }

  /** A new code for a pending, locked or undelivered confirmation: attempts start over. */
  async resend(
    partnerId: number,
    credentialId: number | null,
    confirmationId: string,
  ): Promise<PendingConfirmation> {
    const now = this.clock.now();
    const code = this.newCode();
    const expiresAt = now + this.settings.ttlMs;
    const sent = await this.database.transaction(async (trx) => {
      const row = await this.database
        .forUpdate(
          trx
            .selectFrom("confirmations")
            .selectAll()
            .where("public_id", "=", confirmationId)
            .where("partner_id", "=", partnerId),
        )
        .executeTakeFirst();
      if (!row || row.state === "confirmed") {
        throw new DomainError("CONFIRMATION_NOT_FOUND", "no pending confirmation with this id", {
          field: "confirmationId",
        });
      }
      this.requireChannel(row.channel as ChannelKind);
      const before = await this.throttle(trx, row.destination_hash, credentialId, now);
      await trx
        .updateTable("confirmations")
        .set({
          code_hash: row.deliver === 1 ? this.cipher.codeHash(confirmationId, code) : null,
          state: "pending",
          attempts: 0,
          sends: row.sends + 1,
          expires_at: expiresAt,
          last_sent_at: now,
          updated_at: now,
        })
        .where("id", "=", row.id)
        .execute();
      return { row, before };
    });
    const channel = sent.row.channel as ChannelKind;
    const destination = this.cipher.decrypt(sent.row.destination_enc);
    if (sent.row.deliver === 1)
      await this.deliver(confirmationId, channel, destination, code, sent.before, now);
    return this.pending(confirmationId, channel, destination, expiresAt);
  }

  /**
   * Checks a code inside the caller's transaction, with the confirmation row locked. A wrong code
   * counts an attempt and is returned as an error (not thrown), so the caller commits the count and
   * throws afterwards. On success the caller does its work and then calls `complete` in the same
   * transaction; a retried request with the right code replays the stored result.
   */
  async check(
    trx: Trx,
    partnerId: number,
    confirmationId: string,
    purpose: string,
    code: string,
  ): Promise<CodeCheck> {
    const now = this.clock.now();
    const row = await this.database
      .forUpdate(
        trx
          .selectFrom("confirmations")
          .selectAll()
          .where("public_id", "=", confirmationId)
          .where("partner_id", "=", partnerId),
      )
      .executeTakeFirst();
    if (!row || row.purpose !== purpose || row.state === "failed") {
      return {
        ok: false,
        error: new DomainError("CONFIRMATION_NOT_FOUND", "no pending confirmation with this id", {
          field: "confirmationId",
        }),
      };
    }
    const matches = this.matches(confirmationId, row.code_hash, code);
    const confirmed = (): ConfirmedCode => ({
      rowId: row.id,
      subject: row.subject,
      payload: row.payload === null ? null : JSON.parse(this.cipher.decrypt(row.payload)),
      channel: row.channel as ChannelKind,
      result: row.result,
    });
    if (now >= row.expires_at) {
      return {
        ok: false,
        error: new DomainError("CONFIRMATION_EXPIRED", "the code has expired; send a new code", {
          field: "code",
        }),
      };
    }
    if (row.state === "confirmed") {
      return matches
        ? { ok: true, confirmed: confirmed() }
        : {
            ok: false,
            error: new DomainError("CONFIRMATION_CODE_INVALID", "wrong code", {
              field: "code",
              attemptsLeft: 0,
            }),
          };
    }
    if (row.state === "locked") {
      return {
        ok: false,
        error: new DomainError("CONFIRMATION_LOCKED", "too many wrong codes; send a new code", {
          field: "code",
        }),
      };
    }
    if (!matches) {
      const attempts = row.attempts + 1;
      const locked = attempts >= this.settings.maxAttempts;
      await trx
        .updateTable("confirmations")
        .set({ attempts, state: locked ? "locked" : "pending", updated_at: now })
        .where("id", "=", row.id)
        .execute();
      return {
        ok: false,
        error: locked
          ? new DomainError("CONFIRMATION_LOCKED", "too many wrong codes; send a new code", { field: "code" })
          : new DomainError("CONFIRMATION_CODE_INVALID", "wrong code", {
              field: "code",
              attemptsLeft: this.settings.maxAttempts - attempts,
            }),
      };
    }
    return { ok: true, confirmed: confirmed() };
  }

  /** Marks a checked confirmation used, with what it produced (replayed to a retry). */
  async complete(trx: Trx, rowId: number, result: string): Promise<void> {
    await trx
      .updateTable("confirmations")
      .set({ state: "confirmed", result, updated_at: this.clock.now() })
      .where("id", "=", rowId)
      .where("state", "=", "pending")
      .execute();
  }

  /** Forgets where codes went for a destination (a client's data erased on request). */
  async forgetDestination(trx: Trx, channel: ChannelKind, destination: string): Promise<void> {
    await trx
      .updateTable("confirmations")
      .set({ destination_enc: "", payload: null, updated_at: this.clock.now() })
      .where("destination_hash", "in", this.cipher.lookupHashes(`${channel}:${destination}`))
      .execute();
  }

  /**
   * Re-encrypts destinations and waiting forms under the current key and re-hashes destinations (a key
   * rotation). Codes themselves are not carried over: a code sent before the rotation simply expires.
   */
  async rekey(batch = 500): Promise<number> {
    let changed = 0;
    let after = 0;
    for (;;) {
      const rows = await this.database.db
        .selectFrom("confirmations")
        .select(["id", "channel", "destination_enc", "payload"])
        .where("id", ">", after)
        .orderBy("id")
        .limit(batch)
        .execute();
      if (rows.length === 0) return changed;
      after = rows[rows.length - 1]!.id;
      const stale = rows.filter(
        (r) =>
          (r.destination_enc !== "" && !this.cipher.isCurrent(r.destination_enc)) ||
          (r.payload !== null && !this.cipher.isCurrent(r.payload)),
      );
      if (stale.length === 0) continue;
      await this.database.transaction(async (trx) => {
        for (const r of stale) {
          const destination = r.destination_enc === "" ? null : this.cipher.decrypt(r.destination_enc);
          await trx
            .updateTable("confirmations")
            .set({
              ...(destination === null
                ? {}
                : {
                    destination_enc: this.cipher.encrypt(destination),
                    destination_hash: this.cipher.hash(`${r.channel}:${destination}`),
                  }),
              payload: r.payload === null ? null : this.cipher.encrypt(this.cipher.decrypt(r.payload)),
            })
            .where("id", "=", r.id)
            .execute();
        }
      });
      changed += stale.length;
    }
  }

  private matches(confirmationId: string, stored: string | null, code: string): boolean {
    const actual = Buffer.from(this.cipher.codeHash(confirmationId, code));
    // Without a stored code (nobody to send to) compare against a value no code produces, in the same time.
    const expected = Buffer.from(stored ?? this.cipher.codeHash(confirmationId, "never-a-code"));
    return actual.length === expected.length && timingSafeEqual(actual, expected) && stored !== null;
  }

  private pending(
    confirmationId: string,
    channel: ChannelKind,
    destination: string,
    expiresAt: number,
  ): PendingConfirmation {
    return {
      confirmationId,
      channel,
      destination: maskDestination(channel, destination),
      expiresAt: new Date(expiresAt).toISOString(),
      resendAfterSeconds: Math.ceil(this.settings.resendCooldownMs / 1000),
    };
  }

  private async deliver(
    confirmationId: string,
    channel: ChannelKind,
    destination: string,
    code: string,
    throttled: ThrottleSnapshot[],
    now: number,
  ): Promise<void> {
    try {
      await this.notifier.send(channel, {
        to: destination,
        code,
        subject: "Код подтверждения",
        text: `Код подтверждения: ${code}. Никому его не сообщайте.`,
      });
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      // The code never arrived: the confirmation cannot be used, and the send does not count against
      // the person's cooldown and cap (unless another send happened meanwhile).
      await this.database.transaction(async (trx) => {
        await trx
          .updateTable("confirmations")
          .set({ state: "failed", code_hash: null, updated_at: this.clock.now() })
          .where("public_id", "=", confirmationId)
          .execute();
        for (const t of throttled) {
          await trx
            .updateTable("confirmation_throttles")
            .set((eb) => ({ sent: eb("sent", "-", 1), last_sent_at: t.lastSentAt }))
            .where("key", "=", t.key)
            .where("last_sent_at", "=", now)
            .where("sent", ">", 0)
            .execute();
        }
      });
      throw new DomainError("CODE_DELIVERY_FAILED", `the code could not be sent by ${channel}`, {
        channel,
        confirmationId,
      });
    }
  }

  /**
   * Counts one send against the destination (cooldown, daily cap) and the credential (daily cap), with
   * their rows locked so concurrent sends are counted one after another. Throws RATE_LIMITED.
   */
  private async throttle(
    trx: Trx,
    destinationHash: string,
    credentialId: number | null,
    now: number,
  ): Promise<ThrottleSnapshot[]> {
    const keys: { key: string; cap: number; cooldownMs: number }[] = [
      {
        key: `destination:${destinationHash}`,
        cap: this.settings.dailyCapPerDestination,
        cooldownMs: this.settings.resendCooldownMs,
      },
    ];
    if (credentialId !== null) {
      keys.push({
        key: `credential:${credentialId}`,
        cap: this.settings.dailyCapPerCredential,
        cooldownMs: 0,
      });
    }
    const snapshots: ThrottleSnapshot[] = [];
    for (const { key, cap, cooldownMs } of keys) {
      await trx
        .insertInto("confirmation_throttles")
        .values({ key, window_start: now, sent: 0, last_sent_at: 0 })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      const row = await this.database
        .forUpdate(trx.selectFrom("confirmation_throttles").selectAll().where("key", "=", key))
        .executeTakeFirstOrThrow();
      const fresh = now - row.window_start >= DAY_MS;
      const windowStart = fresh ? now : row.window_start;
      const sent = fresh ? 0 : row.sent;
      const scope = key.startsWith("credential:") ? "credential" : "destination";
      if (cooldownMs > 0 && now - row.last_sent_at < cooldownMs) {
        throw new DomainError("RATE_LIMITED", "a code was sent to this destination moments ago", {
          scope,
          retryAfterSeconds: Math.ceil((row.last_sent_at + cooldownMs - now) / 1000),
        });
      }
      if (sent >= cap) {
        throw new DomainError("RATE_LIMITED", `the daily limit of codes per ${scope} is reached`, {
          scope,
          retryAfterSeconds: Math.ceil((windowStart + DAY_MS - now) / 1000),
        });
      }
      await trx
        .updateTable("confirmation_throttles")
        .set({ window_start: windowStart, sent: sent + 1, last_sent_at: now })
        .where("key", "=", key)
        .execute();
      snapshots.push({ key, lastSentAt: row.last_sent_at });
    }
    return snapshots;
  }
}
