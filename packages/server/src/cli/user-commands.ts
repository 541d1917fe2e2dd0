/**
 * `kopilka user:create` and `kopilka user:reset-password`: cabinet users from the command line, for the
 * first owner of a chain or a platform administrator before anyone can sign in. Each prints a one-time
 * password once (to be changed at first login), or takes the password from stdin. Changes are audited
 * like the admin API's, with no user and the address "cli".
 */
import type { Readable } from "node:stream";
import { PARTNER_ROLES, type PartnerRole } from "../core/admin/permissions.js";
import { loadConfig } from "../infra/config.js";
import { type Database, openDatabase } from "../infra/db/database.js";
import { migrateToLatest } from "../infra/db/migrate.js";
import { type Clock, DomainError, systemClock } from "../kernel/index.js";
import { type Actor, AdminService } from "../modules/admin/index.js";
import { getPartnerByCode } from "../modules/partners/index.js";

export interface UserCreateOptions {
  email: string;
  /** owner, marketer, operator, analyst (with `partner`), or admin (a platform administrator, no partner). */
  role: string;
  partner?: string | undefined;
  passwordFromStdin?: boolean | undefined;
}

export interface UserResetOptions {
  email: string;
  passwordFromStdin?: boolean | undefined;
}

/** Where the commands read and write; tests pass their own. */
export interface CommandIo {
  database?: Database;
  clock?: Clock;
  stdin?: Readable;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

const CLI_ACTOR: Actor = { userId: null, address: "cli" };

async function readPassword(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function run(
  io: CommandIo,
  work: (admin: AdminService, out: (line: string) => void) => Promise<number>,
) {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const database = io.database ?? openDatabase(loadConfig().databaseUrl, { poolSize: 2 });
  try {
    if (!io.database) await migrateToLatest(database);
    return await work(new AdminService(database, io.clock ?? systemClock), out);
  } catch (error) {
    if (error instanceof DomainError) {
      const field = typeof error.details.field === "string" ? ` (${error.details.field})` : "";
      err(`${error.code}: ${error.message}${field}`);
      return 1;
    }
    throw error;
  } finally {
    if (!io.database) await database.close();
  }
}

export async function userCreate(options: UserCreateOptions, io: CommandIo = {}): Promise<number> {
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const isAdmin = options.role === "admin";
  if (!isAdmin && !(PARTNER_ROLES as readonly string[]).includes(options.role)) {
    err(`--role must be admin or one of ${PARTNER_ROLES.join(", ")}`);
    return 2;
  }
  if (isAdmin && options.partner) {
    err("a platform administrator (--role admin) belongs to no partner: leave out --partner");
    return 2;
  }
  if (!isAdmin && !options.partner) {
    err(`--role ${options.role} needs --partner CODE`);
    return 2;
  }
  const password = options.passwordFromStdin ? await readPassword(io.stdin ?? process.stdin) : undefined;
  return run(io, async (admin, out) => {
    if (isAdmin) {
      const created = await admin.createUser(
        CLI_ACTOR,
        { email: options.email, platformAdmin: true },
        password,
      );
      out(`platform administrator ${created.user.email} created with id ${created.user.id}`);
      if (created.oneTimePassword)
        out(`one-time password (shown once, change it at first login): ${created.oneTimePassword}`);
      return 0;
    }
    const partner = await getPartnerByCode(admin.executor, options.partner!);
    if (!partner)
      throw new DomainError("PARTNER_NOT_FOUND", `no partner ${options.partner}`, { field: "--partner" });
    const added = await admin.addMember(
      CLI_ACTOR,
      { id: partner.id, code: partner.code, name: partner.name },
      { email: options.email, role: options.role as PartnerRole },
      password,
    );
    out(`${added.member.email} (user ${added.member.userId}) is now ${added.member.role} of ${partner.code}`);
    if (added.oneTimePassword) {
      out(`one-time password (shown once, change it at first login): ${added.oneTimePassword}`);
    } else if (password === undefined) {
      out("the e-mail already had an account: its password is unchanged");
    }
    return 0;
  });
}

export async function userResetPassword(options: UserResetOptions, io: CommandIo = {}): Promise<number> {
  const password = options.passwordFromStdin ? await readPassword(io.stdin ?? process.stdin) : undefined;
  return run(io, async (admin, out) => {
    const userId = await admin.findUserIdByEmail(options.email);
    const reset = await admin.resetPassword(CLI_ACTOR, userId, password);
    out(`password of ${reset.user.email} reset; every session of theirs has ended`);
    if (reset.oneTimePassword)
      out(`one-time password (shown once, change it at first login): ${reset.oneTimePassword}`);
    return 0;
  });
}
