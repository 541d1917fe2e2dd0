/**
 * Registration and identification at the till, following the server's settings (seed 004):
 *
 * - `GET /v1/settings`: `loginValue` (phone or e-mail is the login), `confirmationMethod` (a code by SMS, by
 *   e-mail, or none), `attachCardOnRegistration` (the card shown at registration is attached);
 * - the login is filled from `loginValue`, a phone normalized to `+7XXXXXXXXXX` (no special characters);
 * - with a confirmation method, step two takes the code the client received;
 * - without automatic attachment, the till attaches a virtual card or a chosen one;
 * - identification by phone or e-mail, with a code when the program asks for one, ends with the client's
 *   cards, of which `pickCard` chooses the one to use.
 */
import type { KopilkaClient } from "./client.js";
import { looksLikeEmail, normalizePhone } from "./phone.js";
import type { CardSummary, Confirmation, RegisterClientRequest, Registration, Settings } from "./types.js";

export interface RegistrationForm {
  name?: string;
  phone?: string;
  email?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  consents: { personalData: boolean; sms?: boolean; email?: boolean };
  /** The card shown at registration. */
  cardNumber?: string;
  programCode?: string;
}

export type RegistrationStep =
  | { status: "registered"; clientId: number; cards: CardSummary[]; settings: Settings }
  | { status: "code_required"; confirmation: Confirmation; settings: Settings };

export type IdentificationStep =
  | { status: "identified"; cards: CardSummary[] }
  | { status: "code_required"; confirmation: Confirmation };

/** The form refused before any request: a field and the reason, for the cashier. */
export class FormError extends Error {
  override readonly name = "FormError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class Registrar {
  private cachedSettings = new Map<string, Settings>();

  constructor(private readonly client: KopilkaClient) {}

  /** The program's settings, asked once per registrar. */
  async settings(programCode?: string): Promise<Settings> {
    const key = programCode ?? "";
    let s = this.cachedSettings.get(key);
    if (!s) {
      s = await this.client.settings(programCode);
      this.cachedSettings.set(key, s);
    }
    return s;
  }

  /** The registration request the settings call for; throws `FormError` for a missing or bad login. */
  async request(form: RegistrationForm): Promise<{ body: RegisterClientRequest; settings: Settings }> {
    const settings = await this.settings(form.programCode);
    const en = this.client.language === "en";
    const phone = form.phone?.trim() ? normalizePhone(form.phone) : null;
    if (form.phone?.trim() && !phone)
      throw new FormError("phone", en ? "Not a Russian phone number" : "Неверный номер телефона");
    const email = form.email?.trim() ? form.email.trim().toLowerCase() : null;
    if (email && !looksLikeEmail(email))
      throw new FormError("email", en ? "Not an e-mail address" : "Неверный адрес электронной почты");
    if (settings.loginValue === "phone" && !phone)
      throw new FormError(
        "phone",
        en ? "The phone number is the login: enter it" : "Телефон — логин клиента: введите его",
      );
    if (settings.loginValue === "email" && !email)
      throw new FormError(
        "email",
        en ? "The e-mail is the login: enter it" : "Почта — логин клиента: введите её",
      );
    if (settings.confirmationMethod === "phone" && !phone)
      throw new FormError(
        "phone",
        en ? "The code is sent by SMS: enter the phone" : "Код придёт по SMS: введите телефон",
      );
    if (settings.confirmationMethod === "email" && !email)
      throw new FormError(
        "email",
        en ? "The code is sent by e-mail: enter it" : "Код придёт на почту: введите её",
      );
    if (!form.consents.personalData)
      throw new FormError(
        "consents.personalData",
        en
          ? "Consent to personal data processing is required"
          : "Нужно согласие на обработку персональных данных",
      );
    const body: RegisterClientRequest = {
      programCode: settings.programCode,
      ...(form.name ? { name: form.name } : {}),
      ...(phone ? { phone } : {}),
      ...(email ? { email } : {}),
      ...(form.birthDate ? { birthDate: form.birthDate } : {}),
      consents: form.consents,
      ...(form.cardNumber && settings.attachCardOnRegistration ? { cardNumber: form.cardNumber } : {}),
    };
    return { body, settings };
  }

  /** Step one: registered at once, or a code was sent (then `confirm`). */
  async register(form: RegistrationForm): Promise<RegistrationStep> {
    const { body, settings } = await this.request(form);
    return this.stepOf(await this.client.registerClient(body), settings);
  }

  /** Step two: the code the client received. */
  async confirm(confirmationId: string, code: string, programCode?: string): Promise<RegistrationStep> {
    const settings = await this.settings(programCode);
    return this.stepOf(await this.client.confirmRegistration(confirmationId, code.trim()), settings);
  }

  resend(confirmationId: string): Promise<Confirmation> {
    return this.client.resendCode(confirmationId);
  }

  /**
   * After registration without automatic attachment: a chosen free card, or a virtual one from the
   * program's range. Answers the client's cards.
   */
  async attachCard(clientId: number, card: { number: string } | "virtual", programCode?: string) {
    const { cards } = await this.client.attachCard(
      clientId,
      card === "virtual"
        ? { virtual: true, ...(programCode ? { programCode } : {}) }
        : { cardNumber: card.number },
    );
    return cards;
  }

  /** Identification, step one, by phone or e-mail (whichever the input looks like). */
  async identify(contact: string, programCode?: string): Promise<IdentificationStep> {
    const en = this.client.language === "en";
    const email = looksLikeEmail(contact) ? contact.trim().toLowerCase() : null;
    const phone = email ? null : normalizePhone(contact);
    if (!email && !phone)
      throw new FormError("contact", en ? "Enter a phone number or an e-mail" : "Введите телефон или почту");
    const answer = await this.client.identify({
      ...(phone ? { phone } : {}),
      ...(email ? { email } : {}),
      ...(programCode ? { programCode } : {}),
    });
    return answer.status === "identified"
      ? { status: "identified", cards: answer.cards }
      : { status: "code_required", confirmation: answer.confirmation! };
  }

  /** Identification, step two: the code entered; the client's cards. */
  async confirmIdentification(confirmationId: string, code: string): Promise<CardSummary[]> {
    return (await this.client.confirmIdentification(confirmationId, code.trim())).cards;
  }

  private stepOf(answer: Registration, settings: Settings): RegistrationStep {
    if (answer.status === "confirmation_required")
      return { status: "code_required", confirmation: answer.confirmation!, settings };
    return { status: "registered", clientId: answer.client!.id, cards: answer.cards, settings };
  }
}

/**
 * The card to put on the receipt among a client's cards: an active one before an accrual-only one (never a
 * blocked one), a physical one before a virtual one, then the one with the most points.
 */
export function pickCard(cards: readonly CardSummary[], programCode?: string): CardSummary | null {
  const rank = (c: CardSummary) => (c.status === "active" ? 0 : 1);
  const usable = cards.filter(
    (c) => c.status !== "blocked" && (programCode === undefined || c.programCode === programCode),
  );
  usable.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      Number(a.virtual) - Number(b.virtual) ||
      b.balance.available - a.balance.available ||
      a.number.localeCompare(b.number),
  );
  return usable[0] ?? null;
}
