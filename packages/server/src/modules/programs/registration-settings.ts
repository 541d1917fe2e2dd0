/**
 * A program's registration settings (what the till asks before registering a client) and its range of
 * virtual card numbers. Stored on the program row; a change bumps the program's version.
 */
import { type CardRange, type CheckDigitScheme, rangeProblem } from "../../core/card-numbers.js";
import type { Executor } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { bumpProgram } from "./programs.js";

export const LOGIN_VALUES = ["phone", "email"] as const;
export type LoginValue = (typeof LOGIN_VALUES)[number];
export const CONFIRMATION_METHODS = ["phone", "email", "none"] as const;
export type ConfirmationMethod = (typeof CONFIRMATION_METHODS)[number];

export interface RegistrationSettings {
  programId: number;
  programCode: string;
  programKind: string;
  loginValue: LoginValue;
  confirmationMethod: ConfirmationMethod;
  attachCardOnRegistration: boolean;
  /** Null until the program has a prefix for virtual cards. */
  virtualCards: CardRange | null;
  maxPointsPaymentShareBp: number;
}

export async function registrationSettings(db: Executor, programId: number): Promise<RegistrationSettings> {
  const row = await db
    .selectFrom("programs")
    .selectAll()
    .where("id", "=", programId)
    .executeTakeFirstOrThrow();
  return {
    programId: row.id,
    programCode: row.code,
    programKind: row.kind,
    loginValue: row.login_value as LoginValue,
    confirmationMethod: row.confirmation_method as ConfirmationMethod,
    attachCardOnRegistration: row.attach_card_on_registration === 1,
    virtualCards:
      row.virtual_card_prefix === null
        ? null
        : {
            prefix: row.virtual_card_prefix,
            length: row.virtual_card_length,
            checkDigit: row.virtual_card_check as CheckDigitScheme,
          },
    maxPointsPaymentShareBp: row.max_points_payment_share_bp,
  };
}

export interface RegistrationSettingsChange {
  loginValue?: LoginValue;
  confirmationMethod?: ConfirmationMethod;
  attachCardOnRegistration?: boolean;
  virtualCards?: CardRange | null;
}

/** Changes a program's registration settings; refuses a virtual range that cannot hold numbers. */
export async function updateRegistrationSettings(
  db: Executor,
  programId: number,
  change: RegistrationSettingsChange,
  now: number,
): Promise<void> {
  if (change.virtualCards) {
    const problem = rangeProblem(change.virtualCards);
    if (problem) throw new DomainError("CARD_RANGE_INVALID", problem, { field: "virtualCards" });
  }
  await db
    .updateTable("programs")
    .set({
      ...(change.loginValue ? { login_value: change.loginValue } : {}),
      ...(change.confirmationMethod ? { confirmation_method: change.confirmationMethod } : {}),
      ...(change.attachCardOnRegistration !== undefined
        ? { attach_card_on_registration: change.attachCardOnRegistration ? 1 : 0 }
        : {}),
      ...(change.virtualCards !== undefined
        ? {
            virtual_card_prefix: change.virtualCards?.prefix ?? null,
            ...(change.virtualCards
              ? {
                  virtual_card_length: change.virtualCards.length,
                  virtual_card_check: change.virtualCards.checkDigit,
                }
              : {}),
          }
        : {}),
    })
    .where("id", "=", programId)
    .execute();
  await bumpProgram(db, programId, now);
}
