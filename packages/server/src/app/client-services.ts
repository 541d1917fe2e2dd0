/**
 * The client side of the application layer: the personal-data key, delivery channels, confirmation
 * codes, clients and the card desk. Built once per process next to the other services.
 */
import type { Logger } from "pino";
import type { Config } from "../infra/config.js";
import type { Database } from "../infra/db/database.js";
import { type PersonalDataCipher, resolvePersonalDataKey } from "../infra/pii.js";
import type { Clock } from "../kernel/clock.js";
import { CardDesk } from "../modules/cards/index.js";
import { ClientService } from "../modules/clients/index.js";
import { ConfirmationService } from "../modules/confirmations/index.js";
import { Notifier } from "../modules/notifications/index.js";
import type { ProgramCatalog } from "../modules/programs/index.js";

export interface ClientServices {
  personalData: PersonalDataCipher;
  confirmations: ConfirmationService;
  clients: ClientService;
  cardDesk: CardDesk;
}

export function buildClientServices(
  ctx: { config: Config; database: Database; clock: Clock; logger: Logger },
  programs: ProgramCatalog,
  notifier?: Notifier,
): ClientServices {
  const { config, database, clock, logger } = ctx;
  const { cipher, generatedFile } = resolvePersonalDataKey(config);
  if (generatedFile) {
    logger.warn(
      { file: generatedFile },
      "generated the personal-data key file: back it up apart from the database; without it phones and e-mails cannot be read",
    );
  }
  const c = config.clients;
  const confirmations = new ConfirmationService(
    database,
    cipher,
    notifier ?? Notifier.fromConfig(c, logger),
    clock,
    {
      codeLength: 6,
      ttlMs: c.codeTtlSeconds * 1000,
      maxAttempts: c.codeMaxAttempts,
      resendCooldownMs: c.resendCooldownSeconds * 1000,
      dailyCapPerDestination: c.dailyCapPerDestination,
      dailyCapPerCredential: c.dailyCapPerCredential,
    },
  );
  return {
    personalData: cipher,
    confirmations,
    clients: new ClientService(database, cipher, confirmations, programs, clock, logger),
    cardDesk: new CardDesk(database, clock),
  };
}
