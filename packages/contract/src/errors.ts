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
    en: "Field {field} is invalid[: {reason}]",
    ru: "Поле {field} заполнено неверно[: {reason}]",
  },
  MALFORMED_JSON: {
    status: 400,
    description: "The body is not valid JSON",
    en: "The request body is not valid JSON",
    ru: "Тело запроса — некорректный JSON",
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
    en: "Line[ {lineId}] appears twice in the receipt[ ({field})]",
    ru: "Строка[ {lineId}] встречается в чеке дважды[ ({field})]",
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
    en: "No such route[: {method} {path}]",
    ru: "Нет такого адреса[: {method} {path}]",
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
    en: "The purchase is {state:state}: this operation is not allowed",
    ru: "Покупка {state:state}: операция недоступна",
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
    ru: "Этот чек можно оплатить баллами не более чем на {max:points}",
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
    en: "The refund returns more than is left of the line[ (only {max:quantity} left)]",
    ru: "Возвращается больше, чем осталось в строке[ (осталось {max:quantity})]",
  },
  REFUND_POINTS_EXCEED_REFUNDABLE: {
    status: 422,
    description: "Stated points exceed what the refunded lines hold; details.max",
    en: "At most {max:points} can be stated for the returned lines",
    ru: "Для возвращаемых строк можно указать максимум {max:points}",
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
      "The database cannot be reached right now (a restart, a failover). Retry the same request after Retry-After seconds: a repeat is never applied twice",
    en: "The database is unavailable right now; retry the same request in {retryAfterSeconds} s",
    ru: "База данных сейчас недоступна; повторите тот же запрос через {retryAfterSeconds} с",
  },
  OVERLOADED: {
    status: 503,
    description:
      "The server is overloaded and refused the request at once, without doing anything: retry the same request after Retry-After seconds, or on another server",
    en: "The server is busy; retry in {retryAfterSeconds} s",
    ru: "Сервер перегружен; повторите через {retryAfterSeconds} с",
  },
  // Setting up partners, stores and credentials (CLI and admin)
  ALREADY_EXISTS: {
    status: 409,
    description: "Something with this code or login already exists; details.field names it",
    en: "{field} {value} already exists",
    ru: "{field} {value} уже существует",
  },
  // Clients, registration, confirmation codes, card issuing and lifecycle.
  INVALID_PHONE: {
    status: 400,
    description:
      "Not a Russian phone number (+7 and 10 digits, 8 and 10 digits, or 10 digits); details.field",
    en: "{field} is not a valid Russian phone number",
    ru: "{field}: неверный номер телефона, нужен российский номер +7XXXXXXXXXX",
  },
  INVALID_EMAIL: {
    status: 400,
    description: "Not a valid e-mail address; details.field",
    en: "{field} is not a valid e-mail address",
    ru: "{field}: неверный адрес электронной почты",
  },
  CONSENT_REQUIRED: {
    status: 422,
    description:
      "Registration needs the client's consent to the processing of personal data (consents.personalData)",
    en: "The client's consent to personal data processing is required",
    ru: "Нужно согласие клиента на обработку персональных данных",
  },
  CLIENT_ALREADY_EXISTS: {
    status: 409,
    description:
      "A client with this login (phone or e-mail) is already registered with the partner; details.field",
    en: "A client with this {field} is already registered",
    ru: "Клиент с таким значением поля {field} уже зарегистрирован",
  },
  CLIENT_NOT_FOUND: {
    status: 404,
    description: "No client with this id (or these contacts) for the partner",
    en: "Client not found",
    ru: "Клиент не найден",
  },
  CONFIRMATION_NOT_FOUND: {
    status: 404,
    description: "No pending confirmation with this id: unknown, already used, or its code could not be sent",
    en: "No pending confirmation with this id; request a new code",
    ru: "Подтверждение не найдено или уже использовано; запросите новый код",
  },
  CONFIRMATION_CODE_INVALID: {
    status: 422,
    description: "The code is wrong; details.attemptsLeft before the code locks",
    en: "Wrong code; {attemptsLeft} attempts left",
    ru: "Неверный код; осталось попыток: {attemptsLeft}",
  },
  CONFIRMATION_LOCKED: {
    status: 409,
    description: "Too many wrong codes: this code no longer works; send a new one (re-send)",
    en: "Too many wrong codes; request a new code",
    ru: "Слишком много неверных попыток; запросите новый код",
  },
  CONFIRMATION_EXPIRED: {
    status: 410,
    description: "The code has expired (CONFIRMATION_CODE_TTL_SECONDS); send a new one (re-send)",
    en: "The code has expired; request a new code",
    ru: "Срок действия кода истёк; запросите новый код",
  },
  CODE_DELIVERY_FAILED: {
    status: 502,
    description:
      "The SMS gateway or the mail server did not take the code; nothing was registered. Retry (re-send) shortly; details.channel",
    en: "The code could not be sent by {channel}; nothing was registered. Try again shortly",
    ru: "Не удалось отправить код ({channel}); ничего не сохранено. Повторите чуть позже",
  },
  DELIVERY_CHANNEL_NOT_CONFIGURED: {
    status: 503,
    description:
      "The program asks for a code by a channel the server has no settings for (SMTP_URL, SMS_GATEWAY_URL)",
    en: "Sending codes by {channel} is not configured on the server",
    ru: "Отправка кодов ({channel}) не настроена на сервере",
  },
  CARD_NOT_FREE: {
    status: 409,
    description:
      "The card is attached to a client, or (as a replacement) already has points or history; details.reason",
    en: "The card is not free: {reason}",
    ru: "Карта занята: {reason}",
  },
  CARD_PROGRAM_MISMATCH: {
    status: 422,
    description: "The card belongs to another program than the one asked for",
    en: "The card belongs to another program",
    ru: "Карта относится к другой программе",
  },
  CARD_HAS_OPEN_PURCHASES: {
    status: 409,
    description:
      "Points of the card are held by a purchase not yet confirmed; retry after it is confirmed, cancelled or expired",
    en: "The card has points held by an open purchase; try again after it completes",
    ru: "На карте есть баллы, удержанные незавершённой покупкой; повторите после её завершения",
  },
  CARD_RANGE_INVALID: {
    status: 422,
    description:
      "No virtual card range is set for the program, or the range cannot hold numbers; details.reason",
    en: "The card number range is not usable: {reason}",
    ru: "Диапазон номеров карт не подходит: {reason}",
  },
  CARD_RANGE_CONFLICT: {
    status: 409,
    description: "Generated numbers collide with existing cards, or no free number is left in the range",
    en: "The range collides with existing cards or is exhausted",
    ru: "Диапазон пересекается с существующими картами или исчерпан",
  },
  // Purchases: refund policy and per-line operations
  REFUND_ACCRUAL_BELOW_MINIMUM: {
    status: 422,
    description:
      "accrualToReverse is below the proportional accrual of the returned goods, and the program does not allow less; details.min",
    en: "At least {min:points} of the accrual must be taken back for the returned goods",
    ru: "За возвращённый товар нужно списать не меньше {min:points} начисленных баллов",
  },
  REFUND_POINTS_BELOW_MINIMUM: {
    status: 422,
    description:
      "pointsToReturn is below the proportional share of the points paid for the returned goods, and the program does not allow less; details.min",
    en: "At least {min:points} paid for the returned goods must be given back",
    ru: "За возвращённый товар нужно вернуть не меньше {min:points}",
  },
  LINES_NOT_SEPARABLE: {
    status: 422,
    description:
      "Only lines of discount programs that move no points can be confirmed or cancelled one by one; details.field",
    en: "This purchase is confirmed and cancelled as a whole",
    ru: "Эту покупку можно подтвердить или отменить только целиком",
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
  // ---- the operator's desk in the cabinet: clients, cards, point adjustments, hanging purchases ----
  ADJUSTMENT_CONFLICT: {
    status: 409,
    description: "This adjustmentId was already used for another card, amount or reason",
    en: "This adjustment id was already used with other data",
    ru: "Этот идентификатор корректировки уже использован с другими данными",
  },
  RESOLUTION_RECEIPT_MISMATCH: {
    status: 422,
    description:
      "The receipt given to resolve a hanging purchase differs from the one its till printed; details.field, printed, given",
    en: "The receipt differs from the one the till printed: {field}",
    ru: "Чек отличается от напечатанного кассой: {field}",
  },
  PRINTED_RECEIPT_MISSING: {
    status: 409,
    description: "The hanging purchase kept no printed receipt, so it can only be cancelled",
    en: "The till sent no printed receipt for this purchase: it can only be cancelled",
    ru: "Касса не прислала напечатанный чек по этой покупке: её можно только отменить",
  },
  // Promo codes and card levels.
  PROMO_CODE_EXISTS: {
    status: 409,
    description: "The program already has a promo code (or a generated one) written this way",
    en: "This promo code already exists in the program",
    ru: "Такой промокод в программе уже есть",
  },
  PROMO_CODE_NOT_FOUND: {
    status: 404,
    description: "The program has no such promo code",
    en: "No such promo code",
    ru: "Промокод не найден",
  },
  PROMO_BATCH_EXISTS: {
    status: 409,
    description: "A batch with this code exists in the program with other terms (the same request replays)",
    en: "A batch with this code already exists",
    ru: "Пакет промокодов с таким кодом уже есть",
  },
  PROMO_BATCH_NOT_FOUND: {
    status: 404,
    description: "The program has no batch of promo codes with this code",
    en: "No such batch of promo codes",
    ru: "Пакет промокодов не найден",
  },
  PROMO_CODE_SPACE_EXHAUSTED: {
    status: 422,
    description: "Too few unused codes of this length and prefix are left for the batch; use longer codes",
    en: "Not enough free codes of this length: make them longer",
    ru: "Свободных кодов такой длины не хватает: увеличьте длину",
  },
  LEVEL_EXISTS: {
    status: 409,
    description: "The program already has a level with this code or this threshold",
    en: "A level with this code or threshold already exists",
    ru: "Уровень с таким кодом или порогом уже есть",
  },
  LEVEL_NOT_FOUND: {
    status: 404,
    description: "The program has no level with this code",
    en: "No such level",
    ru: "Уровень не найден",
  },
  // Programs and rules (admin API, CLI import)
  RULE_INVALID: {
    status: 400,
    description:
      "The rule definition is not valid; details.issues lists every problem with its field, details.field is the first",
    en: "The rule is not valid[: {field}]",
    ru: "Правило заполнено неверно[: {field}]",
  },
  RULE_NOT_FOUND: {
    status: 404,
    description: "No rule with this id in the program",
    en: "Rule not found",
    ru: "Правило не найдено",
  },
  RULE_VERSION_NOT_FOUND: {
    status: 404,
    description: "The rule has no such version",
    en: "Rule version not found",
    ru: "Версия правила не найдена",
  },
  RULE_CHANGED: {
    status: 409,
    description: "The rule was changed by someone else at the same time; read it again and retry",
    en: "The rule was changed meanwhile; reload it and try again",
    ru: "Правило только что изменили; обновите его и повторите",
  },
  PROGRAM_EXISTS: {
    status: 409,
    description: "The partner already has a program with this code",
    en: "A program with this code exists",
    ru: "Программа с таким кодом уже есть",
  },
  SUM_TO_PAY_MISMATCH: {
    status: 422,
    description:
      "A sell-out line's sum to pay is not price × quantity − discount (a kopeck either way with a fractional quantity); details.expected",
    en: "{field}: the sum to pay is not price × quantity less the discount[: expected {expected:rubles}]",
    ru: "{field}: сумма к оплате не равна цене × количество за вычетом скидки[: ожидается {expected:rubles}]",
  },
  CARD_TRANSACTION_PAIR: {
    status: 400,
    description:
      "A sell-out line names a card without the program's transaction code, or a code without a card",
    en: "{field}: the card number and the transaction code come together or not at all",
    ru: "{field}: номер карты и код транзакции указываются вместе или не указываются оба",
  },
  STOCK_ITEM_UNIDENTIFIED: {
    status: 400,
    description: "A stock or sell-out row has neither a barcode nor a DataMatrix code",
    en: "{field}: a barcode or a DataMatrix code is required",
    ru: "{field}: нужен штрихкод или код DataMatrix",
  },
  PROGRAM_NOT_OWNED: {
    status: 403,
    description: "The partner participates in the program but does not own it: only the owner edits it",
    en: "Only the program's owner can change it",
    ru: "Изменять программу может только её владелец",
  },
  DISCOUNT_PROGRAM_INVALID: {
    status: 400,
    description:
      "The discount program is not valid; details.issues lists every problem with its field, details.field is the first",
    en: "The discount program is not valid[: {field}]",
    ru: "Программа скидок заполнена неверно[: {field}]",
  },
  NOT_A_DISCOUNT_PROGRAM: {
    status: 409,
    description: "The program exists but is not a discount program (kind discount)",
    en: "The program is not a discount program",
    ru: "Программа не является программой скидок производителя",
  },
  PHARMAPI_CREDENTIAL_NOT_FOUND: {
    status: 404,
    description: "No PharmApi credential with this id for the partner",
    en: "PharmApi credential not found",
    ru: "Ключ доступа PharmApi не найден",
  },
  POINTS_SPENDING_CAP_EXCEEDED: {
    status: 422,
    description:
      "The bonus payment would exceed the program's anti-fraud cap on points spent by the card per day or week, or on its purchases paid with points per day; details.field = amount, details.max (the most this purchase may pay now), details.cap",
    en: "The card's limit on paying with points is reached: at most {max:points} now",
    ru: "Превышен лимит оплаты баллами по карте: сейчас можно оплатить не больше {max:points}",
  },
  REFUND_CAP_EXCEEDED: {
    status: 422,
    description:
      "This POS credential reached the program's anti-fraud cap on refunds and cancels of confirmed purchases per day; details.max, details.cap",
    en: "The daily limit of refunds and cancels for this till is reached ({max} a day)",
    ru: "Превышен дневной лимит возвратов и отмен для этой кассы ({max} в день)",
  },
  DISCOUNT_LIMIT_EXHAUSTED: {
    status: 409,
    description:
      "Confirming again after a cancel would exceed the card's quantity limit, used up meanwhile by another purchase",
    en: "The card's limit for this product is used up",
    ru: "Лимит по карте для этого товара исчерпан",
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
