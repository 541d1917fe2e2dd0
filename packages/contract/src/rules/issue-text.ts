/**
 * Rule and discount-program issues in Russian, for the cabinet's field messages. The API answers each issue
 * with a stable `code` and an English `message`; the message is specific ("must not be before from"), so the
 * Russian text is chosen by that message first, then by the JSON Schema keyword with its bound.
 */
import type { RuleIssue } from "./definition.js";

const EXACT: Record<string, string> = {
  "is required": "Обязательное поле",
  "is not a known field": "Лишнее поле",
  "from or to is required": "Укажите начало или конец",
  "is not a calendar date": "Не календарная дата",
  "must not be before from": "Не раньше начала",
  "must differ from from": "Начало и конец совпадают",
  "24:00 can only end a range": "24:00 может быть только концом интервала",
  "name at least one SKU, barcode, category, brand or manufacturer":
    "Укажите хотя бы один артикул, штрихкод, категорию, бренд или производителя",
  "is required for last_days": "Нужно для периода «последние N дней»",
  "only for last_days": "Только для периода «последние N дней»",
  "min or max is required": "Укажите минимум или максимум",
  "must not be below min": "Не меньше минимума",
  "any takes conditions": "Группа «любое из» состоит из условий",
  "name at least one condition": "Добавьте хотя бы одно условие",
  "only any-groups nest conditions": "Вложенные условия бывают только в группе «любое из»",
  "a receipt-level effect cannot compete line by line: use an exclusive group per receipt":
    "Действие на весь чек не может соревноваться по строкам: выберите конкуренцию по чеку",
  "is not a valid instant": "Не дата и время",
  "must be after validFrom": "Позже начала действия",
  "an exclusive rule names its group": "Для конкурирующего правила укажите группу",
  "group and per are for exclusive rules": "Группа и область конкуренции — только для конкурирующих правил",
  "is used twice": "Используется дважды",
  "is not in the product list": "Товара нет в списке программы",
  "must not contain control characters": "Недопустимые управляющие символы",
  "a rule is an object": "Правило должно быть объектом",
};

const PATTERNS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^unknown placeholder \{(\w+)\}/, (m) => `Неизвестная подстановка {${m[1]}}`],
  [/^unknown condition type/, () => "Неизвестный тип условия"],
  [/^unknown effect type/, () => "Неизвестный тип действия"],
  [/^any-groups nest at most (\d+) deep/, (m) => `Группы «любое из» вкладываются не глубже ${m[1]} уровней`],
  [/^already listed at (\S+)/, (m) => `Уже есть в списке (${m[1]})`],
  [/^is required for (\w+)/, () => "Нужно для выбранного вида скидки"],
  [/^not for (\w+)/, () => "Не для выбранного вида скидки"],
];

const BY_KEYWORD: Record<string, (limit: number | undefined) => string> = {
  required: () => "Обязательное поле",
  additionalProperties: () => "Лишнее поле",
  minimum: (n) => (n === undefined ? "Слишком маленькое значение" : `Не меньше ${n}`),
  exclusiveMinimum: (n) => (n === undefined ? "Слишком маленькое значение" : `Больше ${n}`),
  maximum: (n) => (n === undefined ? "Слишком большое значение" : `Не больше ${n}`),
  exclusiveMaximum: (n) => (n === undefined ? "Слишком большое значение" : `Меньше ${n}`),
  minLength: (n) => (n === undefined || n <= 1 ? "Заполните поле" : `Не короче ${n} символов`),
  maxLength: (n) => (n === undefined ? "Слишком длинно" : `Не длиннее ${n} символов`),
  minItems: (n) => (n === undefined || n <= 1 ? "Добавьте хотя бы одно значение" : `Не меньше ${n} значений`),
  maxItems: (n) => (n === undefined ? "Слишком много значений" : `Не больше ${n} значений`),
  uniqueItems: () => "Значения повторяются",
  pattern: () => "Недопустимые символы или формат",
  format: () => "Неверный формат",
  enum: () => "Выберите одно из допустимых значений",
  const: () => "Недопустимое значение",
  type: () => "Неверный тип значения",
  multipleOf: (n) => (n === undefined ? "Недопустимое значение" : `Кратно ${n}`),
  duplicate: () => "Повторяется",
  range: () => "Значение вне допустимых границ",
  unexpected: () => "Здесь это поле не нужно",
  unknown_type: () => "Неизвестный тип",
  depth: () => "Слишком глубокая вложенность",
  placeholder: () => "Неизвестная подстановка",
};

/** The issue in Russian; an issue this version does not know keeps its English message. */
export function issueTextRu(issue: Pick<RuleIssue, "code" | "message" | "limit">): string {
  const exact = EXACT[issue.message];
  if (exact) return exact;
  for (const [pattern, text] of PATTERNS) {
    const m = issue.message.match(pattern);
    if (m) return text(m);
  }
  const byKeyword = BY_KEYWORD[issue.code];
  return byKeyword ? byKeyword(issue.limit) : issue.message;
}
