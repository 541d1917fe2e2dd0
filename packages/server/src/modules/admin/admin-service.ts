/**
 * The cabinet's commands over partners, stores, POS credentials, users and program participants. It
 * writes no table itself: each change goes through the owning module, in one transaction with its audit
 * entry (who, from where, what, before and after), so no change is ever without its entry. A call that
 * changes nothing (disabling what is disabled, adding a participant twice) answers the same and writes
 * no entry.
 */
import type { ErrorCode } from "@kopilka/contract";
import type { PartnerRole } from "../../core/admin/permissions.js";
import { type Database, type Executor, isUniqueViolation, type Trx } from "../../infra/db/database.js";
import type { Page, PageQuery } from "../../infra/db/keyset.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import { verifySecret } from "../../kernel/secret-hash.js";
import { type Actor, type AuditFilter, listAudit, recordAudit } from "../audit/index.js";
import {
  type CredentialRecord,
  createPosCredential,
  findCredential,
  generateSecret,
  listCredentials,
  rotateCredentialSecret,
  setCredentialEnabledById,
  updateCredential,
} from "../auth/index.js";
import {
  createPartner,
  getPartnerByCode,
  listPartners,
  type PartnerRecord,
  partnersByIds,
  renamePartner,
} from "../partners/index.js";
import {
  addParticipant,
  findProgram,
  participantsOf,
  programsVisibleTo,
  removeParticipant,
} from "../programs/index.js";
import {
  createStore,
  getStoreByCode,
  listStores,
  type StorePatch,
  type StoreRecord,
  setStoreActive,
  storesByIds,
  updateStore,
} from "../stores/index.js";
import {
  addMembership,
  checkPasswordStrength,
  countActiveOwners,
  createUser,
  endSessions,
  findUserByEmail,
  generateOneTimePassword,
  getMembership,
  getUser,
  listMembers,
  listUsers,
  type MemberRecord,
  membershipsOf,
  membershipsOfUsers,
  passwordHashOf,
  setPlatformAdmin,
  setUserEnabled,
  setUserPassword,
  type UserRecord,
  updateMembership,
} from "../users/index.js";
import {
  credentialView,
  iso,
  membershipViews,
  memberView,
  type PartnerRef,
  partnerView,
  storeView,
  userView,
} from "./views.js";

export type { PartnerRef } from "./views.js";

interface Change {
  partnerId: number | null;
  entityType: string;
  entityId: string | number;
  action: string;
  before: unknown;
  after: unknown;
  /** Record even when before and after read the same (a rotated secret is not in the view). */
  always?: boolean;
}

export class AdminService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  private get db(): Executor {
    return this.database.db;
  }

  /** For callers that look partners up themselves (the command line). */
  get executor(): Executor {
    return this.database.db;
  }

  /**
   * Runs a change and records it, in one transaction. `work` returns the answer and the change to
   * audit (null when nothing changed). A unique constraint that a concurrent caller won becomes `taken`.
   */
  private async change<T>(
    actor: Actor,
    work: (trx: Trx, now: number) => Promise<{ result: T; audit: Change | Change[] | null }>,
    taken?: { code: ErrorCode; field: string },
  ): Promise<T> {
    try {
      return await this.database.transaction(async (trx) => {
        const now = this.clock.now();
        const { result, audit } = await work(trx, now);
        for (const entry of audit === null ? [] : Array.isArray(audit) ? audit : [audit]) {
          if (JSON.stringify(entry.before) !== JSON.stringify(entry.after))
            await recordAudit(trx, actor, entry, now);
        }
        return result;
      });
    } catch (error) {
      if (taken && isUniqueViolation(error)) {
        throw new DomainError(taken.code, `${taken.field} is taken`, { field: taken.field });
      }
      throw error;
    }
  }

  // ---- who is asking ----------------------------------------------------------------------------

  /** The partner a route names and the caller's enabled role in it (null when none). */
  async standing(
    userId: number,
    partnerCode: string,
  ): Promise<{ partner: PartnerRef | null; role: PartnerRole | null }> {
    const partner = await getPartnerByCode(this.db, partnerCode);
    if (!partner) return { partner: null, role: null };
    const membership = await getMembership(this.db, userId, partner.id);
    return {
      partner: { id: partner.id, code: partner.code, name: partner.name },
      role: membership?.enabled ? membership.role : null,
    };
  }

  async currentUser(user: UserRecord) {
    const memberships = await membershipsOf(this.db, user.id);
    const partners = await partnersByIds(
      this.db,
      memberships.map((m) => m.partnerId),
    );
    return {
      id: user.id,
      email: user.email,
      platformAdmin: user.platformAdmin,
      mustChangePassword: user.mustChangePassword,
      memberships: membershipViews(memberships, partners),
    };
  }

  /** Re-authenticates with the current password; other sessions of the user end. */
  async changePassword(
    actor: Actor,
    user: UserRecord,
    sessionId: number,
    current: string,
    next: string,
  ): Promise<void> {
    const hash = await passwordHashOf(this.db, user.id);
    if (!hash || !(await verifySecret(current, hash))) {
      throw new DomainError("WRONG_PASSWORD", "the current password is wrong", { field: "currentPassword" });
    }
    checkPasswordStrength(next, "newPassword");
    await this.change(actor, async (trx, now) => {
      await setUserPassword(trx, user.id, next, false, now);
      await endSessions(trx, user.id, now, sessionId);
      return {
        result: undefined,
        audit: {
          partnerId: null,
          entityType: "user",
          entityId: user.id,
          action: "change-password",
          before: { passwordChangedAt: null },
          after: { passwordChangedAt: iso(now) },
        },
      };
    });
  }

  // ---- partners (platform) ----------------------------------------------------------------------

  async listPartners(filter: { q?: string }, page: PageQuery) {
    const result = await listPartners(this.db, filter, page);
    return { items: result.items.map(partnerView), nextCursor: result.nextCursor };
  }

  async getPartner(code: string) {
    return partnerView(await this.partnerRecord(this.db, code));
  }

  private async partnerRecord(db: Executor, code: string, field = "partnerCode"): Promise<PartnerRecord> {
    const record = await getPartnerByCode(db, code);
    if (!record) throw new DomainError("PARTNER_NOT_FOUND", `no partner ${code}`, { field });
    return record;
  }

  async createPartner(actor: Actor, input: { code: string; name: string }) {
    return this.change(
      actor,
      async (trx, now) => {
        if (await getPartnerByCode(trx, input.code)) {
          throw new DomainError("PARTNER_EXISTS", `partner ${input.code} exists`, { field: "code" });
        }
        const id = await createPartner(trx, input.code, input.name, now);
        const view = partnerView({ id, code: input.code, name: input.name, createdAt: now });
        return {
          result: view,
          audit: {
            partnerId: id,
            entityType: "partner",
            entityId: input.code,
            action: "create",
            before: null,
            after: view,
          },
        };
      },
      { code: "PARTNER_EXISTS", field: "code" },
    );
  }

  async updatePartner(actor: Actor, code: string, patch: { name?: string }) {
    return this.change(actor, async (trx) => {
      const before = await this.partnerRecord(trx, code);
      if (patch.name !== undefined) await renamePartner(trx, before.id, patch.name);
      const after = await this.partnerRecord(trx, code);
      return {
        result: partnerView(after),
        audit: {
          partnerId: before.id,
          entityType: "partner",
          entityId: before.code,
          action: "update",
          before: partnerView(before),
          after: partnerView(after),
        },
      };
    });
  }

  // ---- stores -----------------------------------------------------------------------------------

  async listStores(partner: PartnerRef, filter: { active?: boolean; q?: string }, page: PageQuery) {
    const result = await listStores(this.db, partner.id, filter, page);
    return { items: result.items.map(storeView), nextCursor: result.nextCursor };
  }

  private async storeRecord(
    db: Executor,
    partner: PartnerRef,
    code: string,
    field = "storeCode",
  ): Promise<StoreRecord> {
    const store = await getStoreByCode(db, partner.id, code);
    if (!store) throw new DomainError("STORE_NOT_FOUND", `no store ${code}`, { field });
    return store;
  }

  async getStore(partner: PartnerRef, code: string) {
    return storeView(await this.storeRecord(this.db, partner, code));
  }

  async createStore(
    actor: Actor,
    partner: PartnerRef,
    input: { code: string; name: string; timezone: string; address?: string | null },
  ) {
    return this.change(
      actor,
      async (trx, now) => {
        if (await getStoreByCode(trx, partner.id, input.code)) {
          throw new DomainError("STORE_EXISTS", `store ${input.code} exists`, { field: "code" });
        }
        await createStore(trx, partner.id, input, now);
        const view = storeView(await this.storeRecord(trx, partner, input.code));
        return {
          result: view,
          audit: {
            partnerId: partner.id,
            entityType: "store",
            entityId: input.code,
            action: "create",
            before: null,
            after: view,
          },
        };
      },
      { code: "STORE_EXISTS", field: "code" },
    );
  }

  async updateStore(actor: Actor, partner: PartnerRef, code: string, patch: StorePatch) {
    return this.storeChange(actor, partner, code, "update", (trx, store, now) =>
      updateStore(trx, store.id, patch, now),
    );
  }

  async setStoreActive(actor: Actor, partner: PartnerRef, code: string, active: boolean) {
    return this.storeChange(actor, partner, code, active ? "enable" : "disable", async (trx, store, now) => {
      if (store.active !== active) await setStoreActive(trx, store.id, active, now);
    });
  }

  private storeChange(
    actor: Actor,
    partner: PartnerRef,
    code: string,
    action: string,
    apply: (trx: Trx, store: StoreRecord, now: number) => Promise<void>,
  ) {
    return this.change(actor, async (trx, now) => {
      const before = await this.storeRecord(trx, partner, code);
      await apply(trx, before, now);
      const after = await this.storeRecord(trx, partner, code);
      return {
        result: storeView(after),
        audit:
          after.updatedAt === before.updatedAt
            ? null
            : {
                partnerId: partner.id,
                entityType: "store",
                entityId: code,
                action,
                before: storeView(before),
                after: storeView(after),
              },
      };
    });
  }

  // ---- POS credentials --------------------------------------------------------------------------

  private async credentialRecord(
    db: Executor,
    partner: PartnerRef,
    login: string,
  ): Promise<CredentialRecord> {
    const credential = await findCredential(db, login);
    if (!credential || credential.partnerId !== partner.id) {
      throw new DomainError("CREDENTIAL_NOT_FOUND", `no credential ${login}`, { field: "login" });
    }
    return credential;
  }

  private async credentialViewOf(db: Executor, c: CredentialRecord) {
    const stores = await storesByIds(db, c.storeId === null ? [] : [c.storeId]);
    return credentialView(c, c.storeId === null ? null : (stores.get(c.storeId)?.code ?? null));
  }

  async listCredentials(
    partner: PartnerRef,
    filter: { enabled?: boolean; storeCode?: string; q?: string },
    page: PageQuery,
  ) {
    const storeId =
      filter.storeCode === undefined
        ? undefined
        : (await this.storeRecord(this.db, partner, filter.storeCode)).id;
    const result = await listCredentials(
      this.db,
      partner.id,
      {
        ...(filter.enabled !== undefined ? { enabled: filter.enabled } : {}),
        ...(storeId !== undefined ? { storeId } : {}),
        ...(filter.q !== undefined ? { q: filter.q } : {}),
      },
      page,
    );
    const stores = await storesByIds(
      this.db,
      result.items.flatMap((c) => (c.storeId === null ? [] : [c.storeId])),
    );
    return {
      items: result.items.map((c) =>
        credentialView(c, c.storeId === null ? null : (stores.get(c.storeId)?.code ?? null)),
      ),
      nextCursor: result.nextCursor,
    };
  }

  async getCredential(partner: PartnerRef, login: string) {
    return this.credentialViewOf(this.db, await this.credentialRecord(this.db, partner, login));
  }

  async createCredential(
    actor: Actor,
    partner: PartnerRef,
    input: { login: string; storeCode?: string | null; description?: string | null },
  ) {
    return this.change(
      actor,
      async (trx, now) => {
        if (await findCredential(trx, input.login)) {
          throw new DomainError("LOGIN_TAKEN", `login ${input.login} is taken`, { field: "login" });
        }
        const storeId = input.storeCode
          ? (await this.storeRecord(trx, partner, input.storeCode, "storeCode")).id
          : null;
        const { secret } = await createPosCredential(
          trx,
          partner.id,
          { login: input.login, secret: generateSecret(), storeId, description: input.description ?? null },
          now,
        );
        const view = await this.credentialViewOf(trx, await this.credentialRecord(trx, partner, input.login));
        return {
          result: { credential: view, secret },
          audit: {
            partnerId: partner.id,
            entityType: "credential",
            entityId: input.login,
            action: "create",
            before: null,
            after: view,
          },
        };
      },
      { code: "LOGIN_TAKEN", field: "login" },
    );
  }

  async updateCredential(
    actor: Actor,
    partner: PartnerRef,
    login: string,
    patch: { storeCode?: string | null; description?: string | null },
  ) {
    return this.credentialChange(actor, partner, login, "update", async (trx, c, now) => {
      const storeId =
        patch.storeCode === undefined
          ? undefined
          : patch.storeCode === null
            ? null
            : (await this.storeRecord(trx, partner, patch.storeCode, "storeCode")).id;
      await updateCredential(
        trx,
        c.id,
        {
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(storeId !== undefined ? { storeId } : {}),
        },
        now,
      );
    }).then((r) => r.view);
  }

  async setCredentialEnabled(actor: Actor, partner: PartnerRef, login: string, enabled: boolean) {
    return this.credentialChange(
      actor,
      partner,
      login,
      enabled ? "enable" : "disable",
      async (trx, c, now) => {
        if (c.enabled !== enabled) await setCredentialEnabledById(trx, c.id, enabled, now);
      },
    ).then((r) => r.view);
  }

  /** A new secret, shown once in the answer; tokens issued before stop within AUTH_CACHE_TTL_MS. */
  async rotateCredentialSecret(actor: Actor, partner: PartnerRef, login: string) {
    let secret = "";
    const { view } = await this.credentialChange(
      actor,
      partner,
      login,
      "rotate-secret",
      async (trx, c, now) => {
        secret = await rotateCredentialSecret(trx, c.id, now);
      },
    );
    return { credential: view, secret };
  }

  private credentialChange(
    actor: Actor,
    partner: PartnerRef,
    login: string,
    action: string,
    apply: (trx: Trx, credential: CredentialRecord, now: number) => Promise<void>,
  ) {
    return this.change(actor, async (trx, now) => {
      const before = await this.credentialRecord(trx, partner, login);
      const beforeView = await this.credentialViewOf(trx, before);
      await apply(trx, before, now);
      const after = await this.credentialRecord(trx, partner, login);
      const afterView = await this.credentialViewOf(trx, after);
      return {
        result: { view: afterView },
        audit: {
          partnerId: partner.id,
          entityType: "credential",
          entityId: login,
          action,
          before: beforeView,
          after: afterView,
          always: action === "rotate-secret",
        },
      };
    });
  }

  // ---- users of a partner -----------------------------------------------------------------------

  async listMembers(
    partner: PartnerRef,
    filter: { role?: PartnerRole; enabled?: boolean; q?: string },
    page: PageQuery,
  ) {
    const result = await listMembers(this.db, partner.id, filter, page);
    return { items: result.items.map(memberView), nextCursor: result.nextCursor };
  }

  private async memberRecord(db: Executor, partner: PartnerRef, userId: number): Promise<MemberRecord> {
    const user = await getUser(db, userId);
    const membership = user ? await getMembership(db, userId, partner.id) : null;
    if (!user || !membership)
      throw new DomainError("USER_NOT_FOUND", `no user ${userId} in this partner`, { field: "userId" });
    return { user, membership };
  }

  async getMember(partner: PartnerRef, userId: number) {
    return memberView(await this.memberRecord(this.db, partner, userId));
  }

  /**
   * Gives a person a role in the partner. A new e-mail gets an account with a one-time password, shown
   * once in the answer (or `password`, from the command line, which need not be changed); an existing
   * account just gets the role.
   */
  async addMember(
    actor: Actor,
    partner: PartnerRef,
    input: { email: string; role: PartnerRole },
    password?: string,
  ) {
    if (password !== undefined) checkPasswordStrength(password, "password");
    return this.change(
      actor,
      async (trx, now) => {
        const audit: Change[] = [];
        let oneTimePassword: string | null = null;
        let user = (await findUserByEmail(trx, input.email))?.user ?? null;
        if (!user) {
          oneTimePassword = password === undefined ? generateOneTimePassword() : null;
          user = await createUser(
            trx,
            {
              email: input.email,
              password: password ?? oneTimePassword!,
              mustChangePassword: password === undefined,
            },
            now,
          );
          if (!user)
            throw new DomainError("EMAIL_TAKEN", "the e-mail was taken meanwhile", { field: "email" });
          audit.push({
            partnerId: partner.id,
            entityType: "user",
            entityId: user.id,
            action: "create",
            before: null,
            after: userView(user, []),
          });
        }
        const membership = await addMembership(trx, user.id, partner.id, input.role, now);
        if (!membership) {
          throw new DomainError("MEMBERSHIP_EXISTS", `${input.email} already has a role in ${partner.code}`, {
            field: "email",
          });
        }
        const view = memberView({ user, membership });
        audit.push({
          partnerId: partner.id,
          entityType: "member",
          entityId: user.id,
          action: "create",
          before: null,
          after: view,
        });
        return { result: { member: view, oneTimePassword }, audit };
      },
      { code: "MEMBERSHIP_EXISTS", field: "email" },
    );
  }

  async updateMember(actor: Actor, partner: PartnerRef, userId: number, patch: { role: PartnerRole }) {
    return this.memberChange(actor, partner, userId, "update", async (trx, m, now) => {
      if (m.membership.role === patch.role) return;
      if (m.membership.role === "owner") await this.keepAnOwner(trx, partner, m);
      await updateMembership(trx, m.membership.id, { role: patch.role }, now);
    });
  }

  async setMemberEnabled(actor: Actor, partner: PartnerRef, userId: number, enabled: boolean) {
    return this.memberChange(actor, partner, userId, enabled ? "enable" : "disable", async (trx, m, now) => {
      if (m.membership.enabled === enabled) return;
      if (!enabled && m.membership.role === "owner") await this.keepAnOwner(trx, partner, m);
      await updateMembership(trx, m.membership.id, { enabled }, now);
    });
  }

  private async keepAnOwner(trx: Trx, partner: PartnerRef, m: MemberRecord): Promise<void> {
    if (m.membership.enabled && m.user.enabled && (await countActiveOwners(trx, partner.id)) <= 1) {
      throw new DomainError("LAST_OWNER", `${partner.code} would be left without an owner`, {
        field: "userId",
      });
    }
  }

  private memberChange(
    actor: Actor,
    partner: PartnerRef,
    userId: number,
    action: string,
    apply: (trx: Trx, member: MemberRecord, now: number) => Promise<void>,
  ) {
    return this.change(actor, async (trx, now) => {
      const before = await this.memberRecord(trx, partner, userId);
      await apply(trx, before, now);
      const after = await this.memberRecord(trx, partner, userId);
      return {
        result: memberView(after),
        audit: {
          partnerId: partner.id,
          entityType: "member",
          entityId: userId,
          action,
          before: memberView(before),
          after: memberView(after),
        },
      };
    });
  }

  // ---- every user (platform) --------------------------------------------------------------------

  private async userViews(db: Executor, users: readonly UserRecord[]) {
    const memberships = await membershipsOfUsers(
      db,
      users.map((u) => u.id),
    );
    const partners = await partnersByIds(
      db,
      [...memberships.values()].flat().map((m) => m.partnerId),
    );
    return users.map((u) => userView(u, membershipViews(memberships.get(u.id) ?? [], partners)));
  }

  private async userRecord(db: Executor, userId: number): Promise<UserRecord> {
    const user = await getUser(db, userId);
    if (!user) throw new DomainError("USER_NOT_FOUND", `no user ${userId}`, { field: "userId" });
    return user;
  }

  async listUsers(filter: { enabled?: boolean; platformAdmin?: boolean; q?: string }, page: PageQuery) {
    const result: Page<UserRecord> = await listUsers(this.db, filter, page);
    return { items: await this.userViews(this.db, result.items), nextCursor: result.nextCursor };
  }

  async getUser(userId: number) {
    return (await this.userViews(this.db, [await this.userRecord(this.db, userId)]))[0]!;
  }

  async findUserIdByEmail(email: string): Promise<number> {
    const found = await findUserByEmail(this.db, email);
    if (!found) throw new DomainError("USER_NOT_FOUND", "no user with this e-mail", { field: "email" });
    return found.user.id;
  }

  /** A user without a role yet (or a platform administrator), with a one-time password unless given one. */
  async createUser(actor: Actor, input: { email: string; platformAdmin?: boolean }, password?: string) {
    if (password !== undefined) checkPasswordStrength(password, "password");
    return this.change(
      actor,
      async (trx, now) => {
        const oneTimePassword = password === undefined ? generateOneTimePassword() : null;
        const user = await createUser(
          trx,
          {
            email: input.email,
            password: password ?? oneTimePassword!,
            platformAdmin: input.platformAdmin ?? false,
            mustChangePassword: password === undefined,
          },
          now,
        );
        if (!user) throw new DomainError("EMAIL_TAKEN", "a user with this e-mail exists", { field: "email" });
        const view = userView(user, []);
        return {
          result: { user: view, oneTimePassword },
          audit: {
            partnerId: null,
            entityType: "user",
            entityId: user.id,
            action: "create",
            before: null,
            after: view,
          },
        };
      },
      { code: "EMAIL_TAKEN", field: "email" },
    );
  }

  async updateUser(actor: Actor, userId: number, patch: { platformAdmin: boolean }) {
    return this.userChange(actor, userId, "update", async (trx, u, now) => {
      if (u.platformAdmin !== patch.platformAdmin)
        await setPlatformAdmin(trx, u.id, patch.platformAdmin, now);
    });
  }

  /** Disabling a user ends every session of theirs at once. */
  async setUserEnabled(actor: Actor, userId: number, enabled: boolean) {
    return this.userChange(actor, userId, enabled ? "enable" : "disable", async (trx, u, now) => {
      if (u.enabled === enabled) return;
      await setUserEnabled(trx, u.id, enabled, now);
      if (!enabled) await endSessions(trx, u.id, now);
    });
  }

  /** A new one-time password (or the given one); every session of the user ends. */
  async resetPassword(actor: Actor, userId: number, password?: string) {
    if (password !== undefined) checkPasswordStrength(password, "password");
    let oneTimePassword: string | null = null;
    const user = await this.userChange(actor, userId, "reset-password", async (trx, u, now) => {
      oneTimePassword = password === undefined ? generateOneTimePassword() : null;
      await setUserPassword(trx, u.id, password ?? oneTimePassword!, password === undefined, now);
      await endSessions(trx, u.id, now);
    });
    return { user, oneTimePassword: oneTimePassword as string | null };
  }

  private userChange(
    actor: Actor,
    userId: number,
    action: string,
    apply: (trx: Trx, user: UserRecord, now: number) => Promise<void>,
  ) {
    return this.change(actor, async (trx, now) => {
      const before = await this.userRecord(trx, userId);
      const [beforeView] = await this.userViews(trx, [before]);
      await apply(trx, before, now);
      const [afterView] = await this.userViews(trx, [await this.userRecord(trx, userId)]);
      return {
        result: afterView!,
        audit: {
          partnerId: null,
          entityType: "user",
          entityId: userId,
          action,
          before: beforeView,
          after: afterView,
        },
      };
    });
  }

  // ---- programs and participants ----------------------------------------------------------------

  /** The programs a partner works with: its own and those offered to it, with the relation. */
  async listPrograms(partner: PartnerRef) {
    const visible = await programsVisibleTo(this.db, partner.id);
    const owners = await partnersByIds(
      this.db,
      visible.map((v) => v.program.partnerId),
    );
    return {
      items: visible.map((v) => ({
        code: v.program.code,
        name: v.program.name,
        kind: v.program.kind,
        active: v.active,
        ownerPartnerCode: owners.get(v.program.partnerId)?.code ?? "",
        relation: v.relation,
      })),
    };
  }

  private async ownProgram(db: Executor, partner: PartnerRef, programCode: string) {
    const program = await findProgram(db, partner.id, programCode);
    if (!program) {
      throw new DomainError("PROGRAM_NOT_FOUND", `${partner.code} owns no program ${programCode}`, {
        field: "programCode",
      });
    }
    return program;
  }

  async listParticipants(partner: PartnerRef, programCode: string) {
    const program = await this.ownProgram(this.db, partner, programCode);
    return { items: await this.participantViews(this.db, program.id) };
  }

  private async participantViews(db: Executor, programId: number) {
    const participants = await participantsOf(db, programId);
    const partners = await partnersByIds(
      db,
      participants.map((p) => p.partnerId),
    );
    return participants.flatMap((p) => {
      const record = partners.get(p.partnerId);
      return record ? [{ partnerCode: record.code, partnerName: record.name, since: iso(p.since) }] : [];
    });
  }

  async addParticipant(actor: Actor, partner: PartnerRef, programCode: string, participantCode: string) {
    return this.change(actor, async (trx, now) => {
      const program = await this.ownProgram(trx, partner, programCode);
      const participant = await this.partnerRecord(trx, participantCode, "partnerCode");
      if (participant.id === partner.id) {
        throw new DomainError("PARTICIPANT_IS_OWNER", "the owner cannot participate in its own program", {
          field: "partnerCode",
        });
      }
      const before = await this.participantViews(trx, program.id);
      await addParticipant(trx, program.id, participant.id, now);
      const after = await this.participantViews(trx, program.id);
      const view = after.find((p) => p.partnerCode === participant.code)!;
      return {
        result: view,
        audit: {
          partnerId: partner.id,
          entityType: "program",
          entityId: programCode,
          action: "add-participant",
          before: { participants: before },
          after: { participants: after },
        },
      };
    });
  }

  async removeParticipant(actor: Actor, partner: PartnerRef, programCode: string, participantCode: string) {
    return this.change(actor, async (trx) => {
      const program = await this.ownProgram(trx, partner, programCode);
      const participant = await this.partnerRecord(trx, participantCode, "participantCode");
      const before = await this.participantViews(trx, program.id);
      await removeParticipant(trx, program.id, participant.id);
      const after = await this.participantViews(trx, program.id);
      return {
        result: { ok: true as const },
        audit: {
          partnerId: partner.id,
          entityType: "program",
          entityId: programCode,
          action: "remove-participant",
          before: { participants: before },
          after: { participants: after },
        },
      };
    });
  }

  // ---- audit ------------------------------------------------------------------------------------

  /** A partner's audit entries, or the whole platform's when `partner` is null. */
  async listAudit(partner: PartnerRef | null, filter: Omit<AuditFilter, "partnerId">, page: PageQuery) {
    const result = await listAudit(
      this.db,
      { ...filter, ...(partner ? { partnerId: partner.id } : {}) },
      page,
    );
    const partners = await partnersByIds(
      this.db,
      result.items.flatMap((e) => (e.partnerId === null ? [] : [e.partnerId])),
    );
    return {
      items: result.items.map((e) => ({
        id: e.id,
        at: iso(e.at),
        userId: e.userId,
        address: e.address,
        partnerCode: e.partnerId === null ? null : (partners.get(e.partnerId)?.code ?? null),
        entityType: e.entityType,
        entityId: e.entityId,
        action: e.action,
        before: e.before,
        after: e.after,
      })),
      nextCursor: result.nextCursor,
    };
  }
}
