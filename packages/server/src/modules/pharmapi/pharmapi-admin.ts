/**
 * The cabinet's commands over the PharmApi facade: credential pairs (issued and rotated with the secret
 * shown once), enabling, the partner's trust key. Each change and its audit entry in one transaction.
 */
import type { Database, Trx } from "../../infra/db/database.js";
import type { Clock } from "../../kernel/index.js";
import { type Actor, recordAudit } from "../audit/index.js";
import {
  createPharmApiCredential,
  findPharmApiCredential,
  listPharmApiCredentials,
  type PharmApiAuthenticator,
  type PharmApiCredentialRecord,
  rotatePharmApiSecret,
  setPharmApiCredentialEnabled,
} from "./credentials.js";
import { issueTrustKey } from "./state.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function pharmApiCredentialView(c: PharmApiCredentialRecord) {
  return {
    id: c.id,
    tokenHint: c.tokenHint,
    description: c.description,
    enabled: c.enabled,
    createdAt: iso(c.createdAt)!,
    updatedAt: iso(c.updatedAt)!,
    secretRotatedAt: iso(c.secretRotatedAt),
  };
}

export class PharmApiAdmin {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly authenticator: PharmApiAuthenticator,
  ) {}

  private async change<T>(
    actor: Actor,
    partnerId: number,
    work: (
      trx: Trx,
      now: number,
    ) => Promise<{
      result: T;
      entityType?: string;
      entityId: string;
      action: string;
      before: unknown;
      after: unknown;
    }>,
  ): Promise<T> {
    const result = await this.database.transaction(async (trx) => {
      const now = this.clock.now();
      const r = await work(trx, now);
      await recordAudit(
        trx,
        actor,
        {
          partnerId,
          entityType: r.entityType ?? "pharmapi_credential",
          entityId: r.entityId,
          action: r.action,
          before: r.before,
          after: r.after,
        },
        now,
      );
      return r.result;
    });
    this.authenticator.forget();
    return result;
  }

  async list(partnerId: number) {
    return {
      items: (await listPharmApiCredentials(this.database.db, partnerId)).map(pharmApiCredentialView),
    };
  }

  create(actor: Actor, partnerId: number, description: string | null) {
    return this.change(actor, partnerId, async (trx, now) => {
      const issued = await createPharmApiCredential(trx, partnerId, { description }, now);
      const view = pharmApiCredentialView(issued.credential);
      return {
        result: { credential: view, token: issued.token, secret: issued.secret },
        entityId: String(view.id),
        action: "create",
        before: null,
        after: view,
      };
    });
  }

  rotate(actor: Actor, partnerId: number, id: number) {
    return this.change(actor, partnerId, async (trx, now) => {
      const before = pharmApiCredentialView(await findPharmApiCredential(trx, partnerId, id));
      const secret = await rotatePharmApiSecret(trx, id, now);
      const after = pharmApiCredentialView(await findPharmApiCredential(trx, partnerId, id));
      return { result: { credential: after, secret }, entityId: String(id), action: "rotate", before, after };
    });
  }

  setEnabled(actor: Actor, partnerId: number, id: number, enabled: boolean) {
    return this.change(actor, partnerId, async (trx, now) => {
      const before = pharmApiCredentialView(await findPharmApiCredential(trx, partnerId, id));
      await setPharmApiCredentialEnabled(trx, id, enabled, now);
      const after = pharmApiCredentialView(await findPharmApiCredential(trx, partnerId, id));
      return { result: after, entityId: String(id), action: enabled ? "enable" : "disable", before, after };
    });
  }

  /** A new trust key for cancel_purchase and register (shown once); the earlier one stops passing. */
  issueTrustKey(actor: Actor, partnerId: number) {
    return this.change(actor, partnerId, async (trx, now) => {
      const trustKey = await issueTrustKey(trx, partnerId, now);
      return {
        result: { trustKey },
        entityType: "pharmapi_trust_key",
        entityId: "trust_key",
        action: "rotate",
        before: null,
        after: { rotated: true },
      };
    });
  }
}
