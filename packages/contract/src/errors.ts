/**
 * The one error shape of every Kopilka API, `{code, message, details}`, and the catalogue of stable codes.
 * Clients branch on `code`; `message` is for people, in Russian or English; `details.field` names the
 * input at fault.
 *
 * Each entry carries the HTTP status the native APIs answer with, a description for the docs, and the
 * message templates. A template's `{name}` is replaced by `details.name`; `{name:points}` and
 * `{name:rubles}` format an integer amount (hundredths of a point, kopecks) for people.
 */
import { Type } from "typebox";

export interface ErrorEntry {
  status: number;
  description: string;
  en: string;
  ru: string;
}

export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: {
    status: 400,
    description: "The request does not match the schema; details.field names the first bad field",
    en: "Field {field} is invalid: {reason}",
    ru: "Поле {field} заполнено неверно: {reason}",
  },
  MALFORMED_JSON: {
    status: 400,
    description: "The body is not valid JSON",
    en: "The request body is not valid JSON",
    ru: "Тело запроса — не корректный JSON",
  },
  BAD_REQUEST: {
    status: 400,
    description: "The request is malformed at the HTTP level",
    en: "The request is malformed",
    ru: "Некорректный запрос",
  },
  DUPLICATE_LINE_ID: {
    status: 400,
    description: "Two receipt lines share a lineId",
    en: "Line {lineId} appears twice in the receipt",
    ru: "Строка {lineId} встречается в чеке дважды",
  },
  DUPLICATE_ITEM: {
    status: 400,
    description: "A batch names the same key (SKU, card number) twice; details.field",
    en: "{field} repeats an item already listed in this batch",
    ru: "{field} повторяет позицию, уже указанную в этом пакете",
  },
  UNAUTHORIZED: {
    status: 401,
    description: "No bearer token, or it is malformed, forged or expired",
    en: "Authentication is required: the token is missing, invalid or expired",
    ru: "Нужна авторизация: токен отсутствует, неверен или истёк",
  },
  INVALID_CREDENTIALS: {
    status: 401,
    description: "Login or secret is wrong, or the credential is disabled",
    en: "Wrong login or secret, or the credential is disabled",
    ru: "Неверный логин или секрет, либо учётная запись отключена",
  },
  FORBIDDEN: {
    status: 403,
    description:
      "The credential may not act here (another store, or a store-bound credential on master data)",
    en: "This credential may not do this",
    ru: "Этой учётной записи такое действие запрещено",
  },
  NOT_FOUND: {
    status: 404,
    description: "No such route",
    en: "No such route",
    ru: "Нет такого адреса",
  },
  STORE_NOT_FOUND: {
    status: 404,
    description: "No store with this code for the partner",
    en: "Store not found",
    ru: "Магазин не найден",
  },
  CARD_NOT_FOUND: {
    status: 404,
    description: "No card with this number for the partner",
    en: "Card not found",
    ru: "Карта не найдена",
  },
  PRODUCT_NOT_FOUND: {
    status: 404,
    description: "No product with this SKU for the partner",
    en: "Product not found",
    ru: "Товар не найден",
  },
  PROGRAM_NOT_FOUND: {
    status: 404,
    description: "No program with this code for the partner",
    en: "Program not found",
    ru: "Программа не найдена",
  },
  PURCHASE_NOT_FOUND: {
    status: 404,
    description: "No purchase with this id for the partner",
    en: "Purchase not found",
    ru: "Покупка не найдена",
  },
  PURCHASE_STATE_CONFLICT: {
    status: 409,
    description: "The purchase is in a state that does not allow this call; details.state tells which",
    en: "The purchase is {state}: this operation is not allowed",
    ru: "Покупка в состоянии «{state}»: операция недоступна",
  },
  PURCHASE_EXPIRED: {
    status: 409,
    description: "The calculated purchase outlived its TTL and released its holds; calculate a new one",
    en: "The purchase has expired; calculate it again",
    ru: "Срок расчёта покупки истёк; рассчитайте чек заново",
  },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    description: "The same idempotency key (purchase id, refund id) came with a different body",
    en: "This request id was already used with different data",
    ru: "Этот идентификатор запроса уже использован с другими данными",
  },
  CANCEL_WINDOW_CLOSED: {
    status: 409,
    description: "The purchase was confirmed longer ago than the program's cancel window; refund it instead",
    en: "The cancel window has closed; make a refund instead",
    ru: "Время отмены истекло; оформите возврат",
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    description: "The body exceeds BODY_LIMIT_BYTES",
    en: "The request body is too large",
    ru: "Слишком большой запрос",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: "The body must be application/json",
    en: "The request body must be JSON",
    ru: "Тело запроса должно быть в формате JSON",
  },
  CARD_BLOCKED: {
    status: 422,
    description: "The card is blocked: it cannot be used in a purchase",
    en: "The card is blocked",
    ru: "Карта заблокирована",
  },
  CARD_ACCRUAL_ONLY: {
    status: 422,
    description: "The card only accrues points: it cannot pay with them",
    en: "This card only earns points: it cannot pay with them",
    ru: "Карта только для начисления баллов: оплата баллами недоступна",
  },
  CARD_REQUIRED: {
    status: 422,
    description: "Paying with points needs a card on the purchase",
    en: "Paying with points needs a card",
    ru: "Для оплаты баллами нужна карта",
  },
  INSUFFICIENT_POINTS: {
    status: 422,
    description: "The card has fewer available points than asked; details.available",
    en: "Not enough points: {available:points} available",
    ru: "Недостаточно баллов: доступно {available:points}",
  },
  POINTS_PAYMENT_LIMIT_EXCEEDED: {
    status: 422,
    description: "The amount exceeds what the receipt may be paid with points; details.max",
    en: "At most {max:points} of this receipt may be paid with points",
    ru: "Баллами можно оплатить не более {max:points} этого чека",
  },
  LINE_AMOUNT_TOO_HIGH: {
    status: 422,
    description: "A line's amount exceeds price × quantity",
    en: "The line amount exceeds price × quantity ({max:rubles})",
    ru: "Сумма строки больше, чем цена × количество ({max:rubles})",
  },
  RECEIPT_TOO_LARGE: {
    status: 422,
    description: "The receipt total exceeds the supported maximum",
    en: "The receipt total exceeds the supported maximum",
    ru: "Сумма чека превышает допустимую",
  },
  NOTHING_TO_REFUND: {
    status: 422,
    description: "Every line of the purchase is already refunded",
    en: "Everything in this purchase is already refunded",
    ru: "По этой покупке всё уже возвращено",
  },
  REFUND_LINE_UNKNOWN: {
    status: 422,
    description: "A refund names a line that is not in the purchase",
    en: "The refund names a line that is not in the purchase",
    ru: "В возврате указана строка, которой нет в покупке",
  },
  REFUND_QUANTITY_EXCEEDS_PURCHASED: {
    status: 422,
    description: "A refund returns more of a line than is left; details.max",
    en: "The refund returns more than is left of the line (at most {max} thousandths)",
    ru: "Возвращается больше, чем осталось в строке (не более {max} тысячных)",
  },
  REFUND_POINTS_EXCEED_REFUNDABLE: {
    status: 422,
    description: "Stated points exceed what the refunded lines hold; details.max",
    en: "At most {max:points} can be stated for the returned lines",
    ru: "Для возвращаемых строк можно указать не более {max:points}",
  },
  RATE_LIMITED: {
    status: 429,
    description:
      "Too many attempts from this login or address; details.retryAfterSeconds, and a Retry-After header",
    en: "Too many attempts; retry in {retryAfterSeconds} s",
    ru: "Слишком много попыток; повторите через {retryAfterSeconds} с",
  },
  INTERNAL_ERROR: {
    status: 500,
    description: "A fault of the server; it is logged with the request id",
    en: "Internal error; it has been logged",
    ru: "Внутренняя ошибка; она записана в журнал",
  },
  NOT_READY: {
    status: 503,
    description: "The database is unreachable or the server is shutting down",
    en: "The service is temporarily unavailable; retry shortly",
    ru: "Сервис временно недоступен; повторите чуть позже",
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    description:
      "The database cannot be reached right now; nothing was applied. Retry after Retry-After seconds with the same request",
    en: "The database is unavailable; nothing was applied. Retry with the same request shortly",
    ru: "База данных недоступна; ничего не изменено. Повторите тот же запрос чуть позже",
  },
  // Admin surface: cabinet users, sessions, roles, partners, stores, POS credentials, participants.
  WRONG_EMAIL_OR_PASSWORD: {
    status: 401,
    description: "Cabinet login refused: the e-mail or the password is wrong, or the user is disabled",
    en: "Wrong e-mail or password",
    ru: "Неверный e-mail или пароль",
  },
  SESSION_EXPIRED: {
    status: 401,
    description:
      "The cabinet session was idle too long or reached its absolute end; details.reason (idle, absolute)",
    en: "The session has expired; log in again",
    ru: "Сеанс истёк; войдите снова",
  },
  CSRF_FAILED: {
    status: 403,
    description: "A cookie session's unsafe request lacks the X-CSRF-Token header or it does not match",
    en: "The CSRF token is missing or wrong; reload the page",
    ru: "CSRF-токен отсутствует или неверен; обновите страницу",
  },
  PERMISSION_DENIED: {
    status: 403,
    description: "The user's role in this partner (or lack of one) does not allow this; details.permission",
    en: "Your role does not allow this",
    ru: "Ваша роль не позволяет это сделать",
  },
  PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    description:
      "Signed in with a one-time password: change it (POST /admin/v1/auth/password) before anything else",
    en: "Change your one-time password first",
    ru: "Сначала смените одноразовый пароль",
  },
  WRONG_PASSWORD: {
    status: 403,
    description: "The current password given to change the password is wrong",
    en: "The current password is wrong",
    ru: "Текущий пароль указан неверно",
  },
  PARTNER_NOT_FOUND: {
    status: 404,
    description: "No partner with this code",
    en: "Partner not found",
    ru: "Партнёр не найден",
  },
  USER_NOT_FOUND: {
    status: 404,
    description: "No such cabinet user (in this partner)",
    en: "User not found",
    ru: "Пользователь не найден",
  },
  CREDENTIAL_NOT_FOUND: {
    status: 404,
    description: "No POS credential with this login for the partner",
    en: "POS credential not found",
    ru: "Учётная запись кассы не найдена",
  },
  PARTNER_EXISTS: {
    status: 409,
    description: "A partner with this code already exists",
    en: "A partner with this code already exists",
    ru: "Партнёр с таким кодом уже есть",
  },
  STORE_EXISTS: {
    status: 409,
    description: "The partner already has a store with this code",
    en: "A store with this code already exists",
    ru: "Магазин с таким кодом уже есть",
  },
  LOGIN_TAKEN: {
    status: 409,
    description: "A POS credential with this login already exists (logins are unique across the platform)",
    en: "This login is taken",
    ru: "Такой логин уже занят",
  },
  EMAIL_TAKEN: {
    status: 409,
    description: "A cabinet user with this e-mail already exists",
    en: "A user with this e-mail already exists",
    ru: "Пользователь с таким e-mail уже есть",
  },
  MEMBERSHIP_EXISTS: {
    status: 409,
    description: "The user already has a role in this partner; change it with PATCH",
    en: "The user already has a role in this partner",
    ru: "У пользователя уже есть роль у этого партнёра",
  },
  LAST_OWNER: {
    status: 409,
    description: "The change would leave the partner without an enabled owner",
    en: "The partner must keep at least one owner",
    ru: "У партнёра должен остаться хотя бы один владелец",
  },
  PARTICIPANT_IS_OWNER: {
    status: 422,
    description: "The program's owner cannot also be its participant",
    en: "The owner of the program cannot be its participant",
    ru: "Владелец программы не может быть её участником",
  },
  PASSWORD_TOO_WEAK: {
    status: 422,
    description: "The new password is too short; details.minLength",
    en: "The password needs at least {minLength} characters",
    ru: "Пароль должен быть не короче {minLength} символов",
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: "Stable machine code; see the error catalogue" }),
    message: Type.String({
      description: "For people, in the language of Accept-Language (Russian by default)",
    }),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { description: "Every error the API returns" },
);

export function errorCatalogueMarkdown(): string {
  const rows = Object.entries(ERROR_CATALOGUE).map(
    ([code, e]) => `| \`${code}\` | ${e.status} | ${e.description} |`,
  );
  return ["| code | HTTP | meaning |", "|---|---|---|", ...rows].join("\n");
}
