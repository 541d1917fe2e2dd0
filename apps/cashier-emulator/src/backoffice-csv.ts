/**
 * The accounting system's CSV files of the night uploads (stores, stock with prices, sell-out) read into
 * the bodies of `/v1/stores`, `/v1/stores/{code}/stock` and `/v1/sellout`, in the server's units.
 *
 * Files are read as the server's `kopilka import` reads them: UTF-8 with or without a BOM, otherwise
 * Windows-1251 (what 1C writes by default); the separator `;`, `,` or tab from the header line; header
 * names in English or Russian, any case. Every row is checked against the contract's limits here, so a
 * bad file is refused whole with every bad line named before anything is sent: a chain's IT would rather
 * fix the export and run it again than find half of a night's stock replaced.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { parse } from "csv-parse";
import {
  expectedSumToPay,
  kopecksOfText,
  refusalText,
  sumToPayTolerance,
  thousandthsOfText,
} from "./backoffice-decimal.js";

export type UploadKind = "stores" | "stock" | "sellout";
export const UPLOAD_KINDS: readonly UploadKind[] = ["stores", "stock", "sellout"];

/** A bad cell or row: the file's line number (1 is the header) and the column at fault. */
export interface RowProblem {
  line: number;
  field: string;
  message: string;
}

export interface ReadOptions {
  /** `utf-8` or `windows-1251`; detected when not given. */
  encoding?: string;
  /** Detected from the header when not given. */
  delimiter?: string;
  /** Told how far the reading is: bytes of the file consumed, of the total. */
  onProgress?: (rows: number, bytes: number, totalBytes: number) => void;
}

// ---- reading ---------------------------------------------------------------------------------------

function sample(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(65_536);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** UTF-8 when the bytes decode as UTF-8 (or start with its BOM), otherwise Windows-1251. */
export function detectEncoding(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  // The sample may end inside a multi-byte character: leave the last three bytes out.
  const body = bytes.length >= 65_536 ? bytes.subarray(0, bytes.length - 3) : bytes;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return "utf-8";
  } catch {
    return "windows-1251";
  }
}

export function detectDelimiter(headerLine: string): string {
  const counts = [";", ",", "\t"].map((d) => [d, headerLine.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ";";
}

export interface CsvRecord {
  line: number;
  /** Cells by canonical column name, trimmed; a missing or empty cell is absent. */
  cells: Map<string, string>;
}

/**
 * The records of a CSV file with their line numbers, columns named by `aliases` (canonical name → the
 * names a header may use). Streams, so a long file needs little memory and the progress bar moves.
 */
export async function* readCsv(
  file: string,
  aliases: Record<string, readonly string[]>,
  options: ReadOptions & { onHeader?: (known: string[], unknown: string[]) => void } = {},
): AsyncGenerator<CsvRecord> {
  const head = sample(file);
  const encoding = options.encoding ?? detectEncoding(head);
  const decoder = new TextDecoder(encoding);
  const firstLine =
    new TextDecoder(encoding)
      .decode(head)
      .replace(/^\ufeff/, "")
      .split(/\r?\n/)[0] ?? "";
  const delimiter = options.delimiter ?? detectDelimiter(firstLine);
  const byHeader = new Map<string, string>();
  for (const [name, names] of Object.entries(aliases)) {
    for (const n of [name, ...names]) byHeader.set(headerKey(n), name);
  }
  const totalBytes = statSync(file).size;
  let bytes = 0;
  const parser = parse({
    delimiter,
    bom: true,
    columns: (header: string[]) => {
      const named = header.map((h) => byHeader.get(headerKey(h)) ?? `?${h.trim()}`);
      options.onHeader?.(
        named.filter((n) => !n.startsWith("?")),
        named.filter((n) => n.startsWith("?")).map((n) => n.slice(1)),
      );
      return named;
    },
    skip_empty_lines: true,
    relax_column_count: true,
    // As the server's imports: a quote inside an unquoted cell (Аптека "Здоровье") is text, not an error.
    relax_quotes: true,
    info: true,
  });
  // Decoded by hand (TextDecoder knows Windows-1251 in Node's full ICU), chunk by chunk, so that a
  // multi-byte character split between two reads is decoded whole.
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  source.on("data", (chunk) => {
    bytes += chunk.length;
    if (!parser.write(decoder.decode(chunk as Buffer, { stream: true }))) source.pause();
  });
  parser.on("drain", () => source.resume());
  source.on("end", () => {
    parser.end(decoder.decode());
  });
  source.on("error", (error) => parser.destroy(error));
  let rows = 0;
  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    const cells = new Map<string, string>();
    for (const [k, v] of Object.entries(record)) {
      const value = typeof v === "string" ? v.trim() : "";
      if (!k.startsWith("?") && value !== "") cells.set(k, value);
    }
    rows++;
    if ((rows & 1023) === 0) options.onProgress?.(rows, bytes, totalBytes);
    yield { line: info.lines, cells };
  }
  options.onProgress?.(rows, totalBytes, totalBytes);
}

function headerKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\ufeff/, "")
    .replace(/[\s_-]+/g, " ")
    .replace(/ё/g, "е");
}

// ---- cells -----------------------------------------------------------------------------------------

function hasRefusedControl(v: string, allowGroupSeparator: boolean): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 127) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && !(allowGroupSeparator && c === 0x1d)) return true;
  }
  return false;
}

/** A row's checks: each failed one adds a problem; values come back only while the row is good. */
class RowReader {
  readonly problems: RowProblem[] = [];

  constructor(private readonly record: CsvRecord) {}

  get line(): number {
    return this.record.line;
  }

  private bad(field: string, message: string): undefined {
    this.problems.push({ line: this.record.line, field, message });
    return undefined;
  }

  text(field: string, opts: { required?: boolean; max: number; min?: number }): string | undefined {
    const v = this.record.cells.get(field);
    if (v === undefined) return opts.required ? this.bad(field, "is empty") : undefined;
    if (v.length > opts.max) return this.bad(field, `is longer than ${opts.max} characters`);
    // The server refuses control characters (but tab and line breaks) in every text; a DataMatrix keeps
    // its GS separators. Said per line here rather than as one 400 for the whole file.
    if (hasRefusedControl(v, field === "qr_code")) return this.bad(field, "has control characters");
    return v;
  }

  code(field: string, max: number, required = true): string | undefined {
    const v = this.text(field, { required, max });
    if (v !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v))
      return this.bad(field, `"${v}" is not a code (Latin letters, digits, . _ -)`);
    return v;
  }

  kopecks(field: string, required = true): number | undefined {
    const v = this.record.cells.get(field);
    if (v === undefined) return required ? this.bad(field, "is empty") : undefined;
    const r = kopecksOfText(v);
    return r.ok ? r.value : this.bad(field, `"${v}" is ${refusalText(r.refusal, 2)} (rubles, e.g. 123,45)`);
  }

  thousandths(field: string): number | undefined {
    const v = this.record.cells.get(field);
    if (v === undefined) return this.bad(field, "is empty");
    const r = thousandthsOfText(v);
    return r.ok ? r.value : this.bad(field, `"${v}" is ${refusalText(r.refusal, 3)} (packs, e.g. 1,5)`);
  }

  flag(field: string): boolean | undefined {
    const v = this.record.cells.get(field);
    if (v === undefined) return undefined;
    if (/^(1|true|yes|да|y|д)$/i.test(v)) return true;
    if (/^(0|false|no|нет|n|н)$/i.test(v)) return false;
    return this.bad(field, `"${v}" is not yes or no (1/0, true/false, да/нет)`);
  }

  /** A cell that the row cannot be sent without, read after the fact (barcode or DataMatrix). */
  need(field: string, message: string): void {
    this.bad(field, message);
  }
}

// ---- the three files -------------------------------------------------------------------------------

export const STORE_COLUMNS = {
  code: ["store", "store code", "код", "код аптеки", "код магазина"],
  address: ["адрес"],
  name: ["название", "наименование"],
  timezone: ["time zone", "tz", "часовой пояс"],
  brand: ["бренд", "сеть"],
  legal_entity: ["legalentity", "юрлицо", "юр лицо", "юридическое лицо"],
  inn: ["инн"],
  region: ["регион"],
  city: ["город"],
  gps: ["координаты"],
  work_time: ["worktime", "hours", "режим работы", "часы работы"],
  phones: ["phone", "телефон", "телефоны"],
  pos_ids: ["posids", "pos", "кассы", "коды касс"],
  disabled: ["закрыта", "закрыт"],
  hidden: ["скрыта", "скрыт"],
} as const;

export const STOCK_COLUMNS = {
  store: ["store code", "аптека", "магазин", "код аптеки", "код магазина"],
  barcode: ["ean", "штрихкод", "штрих код"],
  qr_code: ["qrcode", "datamatrix", "код маркировки"],
  lot: ["серия", "партия"],
  name: ["наименование", "название", "товар"],
  price: ["цена"],
  amount: ["quantity", "qty", "количество", "остаток"],
} as const;

export const SELLOUT_COLUMNS = {
  store: ["store code", "аптека", "магазин", "код аптеки", "код магазина"],
  voucher: ["voucher id", "voucherid", "receipt", "чек", "номер чека"],
  line: ["line id", "lineid", "строка", "номер строки"],
  sold_at: ["soldat", "date", "дата", "дата продажи", "время продажи"],
  barcode: ["ean", "штрихкод", "штрих код"],
  qr_code: ["qrcode", "datamatrix", "код маркировки"],
  name: ["наименование", "название", "товар"],
  price: ["цена"],
  quantity: ["qty", "amount", "количество"],
  discount: ["скидка"],
  sum_to_pay: ["sumtopay", "sum", "сумма", "к оплате"],
  card: ["card number", "cardnumber", "карта", "номер карты"],
  transaction: ["транзакция", "код программы"],
  fn: ["фн"],
  fd: ["фд"],
  fpd: ["фпд"],
} as const;

export const COLUMNS: Record<UploadKind, Record<string, readonly string[]>> = {
  stores: STORE_COLUMNS,
  stock: STOCK_COLUMNS,
  sellout: SELLOUT_COLUMNS,
};

/** Columns without which no row can be good: a file without them is refused at its header. */
const REQUIRED: Record<UploadKind, string[]> = {
  stores: ["code", "address"],
  stock: ["name", "price", "amount"],
  sellout: ["store", "voucher", "line", "sold_at", "name", "price", "quantity", "sum_to_pay"],
};

export interface StoreRow {
  code: string;
  address: string;
  name?: string;
  timezone?: string;
  brand?: string;
  legalEntity?: string;
  inn?: string;
  region?: string;
  city?: string;
  gps?: string;
  workTime?: string;
  phones?: string;
  posIds?: string[];
  disabled?: boolean;
  hidden?: boolean;
}

export interface StockRow {
  barcode?: string;
  qrCode?: string;
  lot?: string;
  name: string;
  price: number;
  amount: number;
}

export interface SelloutRow {
  storeCode: string;
  voucherId: string;
  lineId: string;
  soldAt: string;
  barcode?: string;
  qrCode?: string;
  name: string;
  price: number;
  quantity: number;
  discount: number;
  sumToPay: number;
  cardNumber?: string;
  transaction?: string;
  fiscal?: { fn: string; fd: string; fpd: string };
}

const validZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

function storeRow(r: RowReader): StoreRow | null {
  const code = r.code("code", 64);
  const address = r.text("address", { required: true, max: 1000 });
  const timezone = r.text("timezone", { max: 64 });
  if (timezone !== undefined && !validZone(timezone))
    r.need("timezone", `"${timezone}" is not an IANA time zone (e.g. Europe/Moscow)`);
  const texts = {
    name: r.text("name", { max: 256 }),
    brand: r.text("brand", { max: 1000 }),
    legalEntity: r.text("legal_entity", { max: 1000 }),
    inn: r.text("inn", { max: 1000 }),
    region: r.text("region", { max: 1000 }),
    city: r.text("city", { max: 1000 }),
    gps: r.text("gps", { max: 1000 }),
    workTime: r.text("work_time", { max: 1000 }),
    // A store's phones, not a customer's: sent, but never written to the send log.
    phones: r.text("phones", { max: 1000 }),
  };
  const posText = r.text("pos_ids", { max: 60_000 });
  // In one cell: separated by spaces, commas or |, as an export joins a list.
  const posIds = posText?.split(/[\s,|]+/).filter(Boolean);
  if (posIds && posIds.length > 1000) r.need("pos_ids", "more than 1000 POS ids");
  for (const id of posIds ?? []) {
    if (id.length > 50 || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
      r.need("pos_ids", `"${id}" is not a POS id (Latin letters, digits, . _ -; up to 50)`);
      break;
    }
  }
  const disabled = r.flag("disabled");
  const hidden = r.flag("hidden");
  if (r.problems.length > 0) return null;
  return {
    code: code!,
    address: address!,
    ...optional("timezone", timezone),
    ...Object.fromEntries(Object.entries(texts).filter(([, v]) => v !== undefined)),
    ...optional("posIds", posIds),
    ...optional("disabled", disabled),
    ...optional("hidden", hidden),
  };
}

function stockRow(r: RowReader, store: string | undefined): { store: string; row: StockRow } | null {
  const storeCode = r.code("store", 64, store === undefined) ?? store;
  const barcode = r.text("barcode", { max: 50 });
  const qrCode = r.text("qr_code", { max: 200 });
  if (barcode === undefined && qrCode === undefined)
    r.need("barcode", "a barcode or a DataMatrix code (qr_code) is needed");
  const lot = r.text("lot", { max: 100 });
  const name = r.text("name", { required: true, max: 512 });
  const price = r.kopecks("price");
  const amount = r.thousandths("amount");
  if (r.problems.length > 0 || storeCode === undefined) return null;
  return {
    store: storeCode,
    row: {
      ...optional("barcode", barcode),
      ...optional("qrCode", qrCode),
      ...optional("lot", lot),
      name: name!,
      price: price!,
      amount: amount!,
    },
  };
}

/** The server's form: ISO 8601 with an offset, seconds and fraction optional. */
const ISO_WITH_OFFSET =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})$/;

function soldAt(r: RowReader, text: string | undefined): { text: string; year: number } | undefined {
  if (text === undefined) return undefined;
  const m = ISO_WITH_OFFSET.exec(text);
  const [, y, mo, d, h, mi, s = "00"] = m ?? [];
  const sane =
    m &&
    Number(mo) >= 1 &&
    Number(mo) <= 12 &&
    Number(h) <= 23 &&
    Number(mi) <= 59 &&
    Number(s) <= 59 &&
    new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDate() === Number(d);
  if (!sane) {
    r.need("sold_at", `"${text}" is not a date and time with an offset (2026-03-05T16:59:57+03:00)`);
    return undefined;
  }
  return { text, year: Number(y) };
}

function selloutRow(r: RowReader): (SelloutRow & { year: number }) | null {
  const storeCode = r.code("store", 64);
  const voucherId = r.text("voucher", { required: true, max: 100 });
  const lineId = r.text("line", { required: true, max: 100 });
  const when = soldAt(r, r.text("sold_at", { required: true, max: 40 }));
  const barcode = r.text("barcode", { max: 50 });
  const qrCode = r.text("qr_code", { max: 200 });
  if (barcode === undefined && qrCode === undefined)
    r.need("barcode", "a barcode or a DataMatrix code (qr_code) is needed");
  const name = r.text("name", { required: true, max: 512 });
  const price = r.kopecks("price");
  const quantity = r.thousandths("quantity");
  if (quantity === 0) r.need("quantity", "must be more than 0");
  const discount = r.kopecks("discount", false) ?? 0;
  const sumToPay = r.kopecks("sum_to_pay");
  const cardNumber = r.text("card", { max: 50 });
  if (cardNumber !== undefined && !/^[0-9]+$/.test(cardNumber)) r.need("card", "is not digits");
  const transaction = r.text("transaction", { max: 100 });
  if ((cardNumber === undefined) !== (transaction === undefined))
    r.need(cardNumber === undefined ? "card" : "transaction", "card and transaction come together");
  const fiscalParts = (["fn", "fd", "fpd"] as const).map((f) => [f, r.text(f, { max: 64 })] as const);
  const given = fiscalParts.filter(([, v]) => v !== undefined);
  if (given.length > 0 && given.length < 3)
    r.need(fiscalParts.find(([, v]) => v === undefined)![0], "fn, fd and fpd come together");
  if (price !== undefined && quantity !== undefined && sumToPay !== undefined) {
    const expected = expectedSumToPay(price, quantity, discount);
    if (Math.abs(expected - sumToPay) > sumToPayTolerance(quantity))
      r.need("sum_to_pay", `should be price × quantity − discount = ${rubles(expected)}`);
  }
  if (r.problems.length > 0) return null;
  return {
    storeCode: storeCode!,
    voucherId: voucherId!,
    lineId: lineId!,
    soldAt: when!.text,
    year: when!.year,
    ...optional("barcode", barcode),
    ...optional("qrCode", qrCode),
    name: name!,
    price: price!,
    quantity: quantity!,
    discount,
    sumToPay: sumToPay!,
    ...optional("cardNumber", cardNumber),
    ...optional("transaction", transaction),
    ...(given.length === 3
      ? { fiscal: { fn: fiscalParts[0]![1]!, fd: fiscalParts[1]![1]!, fpd: fiscalParts[2]![1]! } }
      : {}),
  };
}

/** Kopecks as rubles for a message, integers only: 12345 → "123,45". */
export function rubles(kopecks: number): string {
  const sign = kopecks < 0 ? "-" : "";
  const abs = Math.abs(kopecks);
  return `${sign}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, "0")}`;
}

/** The limits of one request body (the contract's maxItems): past them a file is not one upload. */
export const LIMITS = { stores: 20_000, stockPerStore: 200_000, selloutPerRequest: 20_000 } as const;

export interface ParsedUpload {
  kind: UploadKind;
  stores: { line: number; row: StoreRow }[];
  /** Rows grouped by store, in the order the stores first appear. */
  stock: Map<string, { line: number; row: StockRow }[]>;
  sellout: { line: number; row: SelloutRow }[];
  rows: number;
  problems: RowProblem[];
  ignoredColumns: string[];
}

/**
 * The records until the CSV itself is broken (a quoted cell never closed): that is one more bad line, at
 * the line the parser stopped, and the rest of the file cannot be read.
 */
async function* syntaxChecked(records: AsyncGenerator<CsvRecord>, problems: RowProblem[]) {
  try {
    yield* records;
  } catch (error) {
    const e = error as { code?: string; lines?: number; message: string };
    if (!e.code?.startsWith("CSV_")) throw error;
    problems.push({ line: e.lines ?? 0, field: "", message: `the CSV is broken here: ${e.message}` });
  }
}

/**
 * Reads and checks the whole file. `store` is the store of a stock file without a store column. Repeats
 * the server would refuse (or silently let the last win) are named with both lines.
 */
export async function readUpload(
  kind: UploadKind,
  file: string,
  options: ReadOptions & { store?: string } = {},
): Promise<ParsedUpload> {
  const out: ParsedUpload = {
    kind,
    stores: [],
    stock: new Map(),
    sellout: [],
    rows: 0,
    problems: [],
    ignoredColumns: [],
  };
  let known: string[] = [];
  const firstSeen = new Map<string, number>();
  const repeated = (key: string, line: number, field: string, what: string) => {
    const first = firstSeen.get(key);
    if (first === undefined) {
      firstSeen.set(key, line);
      return false;
    }
    out.problems.push({ line, field, message: `${what} is already on line ${first}` });
    return true;
  };
  const records = readCsv(file, COLUMNS[kind], {
    ...options,
    onHeader: (k, unknown) => {
      known = k;
      out.ignoredColumns = unknown;
    },
  });
  for await (const record of syntaxChecked(records, out.problems)) {
    out.rows++;
    const r = new RowReader(record);
    if (kind === "stores") {
      const row = storeRow(r);
      if (row && !repeated(row.code, r.line, "code", `store ${row.code}`))
        out.stores.push({ line: r.line, row });
    } else if (kind === "stock") {
      const got = stockRow(r, options.store);
      const key = got && JSON.stringify([got.store, got.row.barcode, got.row.qrCode, got.row.lot]);
      if (got && !repeated(key!, r.line, "barcode", "the same product and lot")) {
        const rows = out.stock.get(got.store) ?? [];
        rows.push({ line: r.line, row: got.row });
        out.stock.set(got.store, rows);
      }
    } else {
      const got = selloutRow(r);
      if (got) {
        const { year, ...row } = got;
        const key = JSON.stringify([row.storeCode, year, row.voucherId, row.lineId]);
        if (!repeated(key, r.line, "line", `line ${row.lineId} of receipt ${row.voucherId}`))
          out.sellout.push({ line: r.line, row });
      }
    }
    out.problems.push(...r.problems);
  }
  const missing = REQUIRED[kind].filter((c) => !known.includes(c));
  if (kind === "stock" && options.store === undefined && !known.includes("store")) missing.unshift("store");
  if (kind !== "stores" && !known.includes("barcode") && !known.includes("qr_code")) missing.push("barcode");
  if (missing.length > 0) {
    // One problem for the header instead of one per line.
    out.problems = [
      { line: 1, field: missing.join(", "), message: `the header has no column ${missing.join(", ")}` },
    ];
  } else if (out.rows === 0) {
    out.problems.push({ line: 1, field: "", message: "the file has no rows" });
  }
  if (kind === "stores" && out.stores.length > LIMITS.stores)
    out.problems.push({ line: 1, field: "", message: `more than ${LIMITS.stores} stores in one file` });
  for (const [store, rows] of out.stock) {
    if (rows.length > LIMITS.stockPerStore)
      out.problems.push({
        line: rows[LIMITS.stockPerStore]!.line,
        field: "store",
        message: `store ${store} has more than ${LIMITS.stockPerStore} rows`,
      });
  }
  out.problems.sort((a, b) => a.line - b.line);
  return out;
}
