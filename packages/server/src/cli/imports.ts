/**
 * File imports from accounting systems (`kopilka import cards|products|clients FILE.csv`), card batches
 * (`kopilka cards:generate`) and the personal-data key rotation (`kopilka pii:rekey`).
 *
 * Imports stream: the file is decoded (UTF-8 with or without a BOM, Windows-1251 detected, or
 * --encoding), parsed by csv-parse (separator `;`, `,` or tab detected from the header, or --delimiter)
 * and applied in batches, so a million rows need little memory. Every bad row is written to a report
 * file with its line number and the reason. Atomicity: by default the whole file is one transaction and
 * any rejected row means nothing is applied; with --chunk N every N rows are one transaction, applied
 * only if none of their rows is rejected.
 */
import {
  closeSync,
  createReadStream,
  createWriteStream,
  openSync,
  readSync,
  statSync,
  type WriteStream,
} from "node:fs";
import type { CardStatus } from "@kopilka/contract";
import { parse } from "csv-parse";
import iconv from "iconv-lite";
import type { Database, Trx } from "../infra/db/database.js";
import { DomainError } from "../kernel/errors.js";
import { type ImportedCard, importCardChunk } from "../modules/cards/index.js";
import { type ProductInput, upsertProductRows } from "../modules/catalog/index.js";
import type { ClientService, RegistrationForm } from "../modules/clients/index.js";
import { registrationSettings } from "../modules/programs/index.js";

export type ImportKind = "cards" | "products" | "clients";

export interface ImportOptions {
  file: string;
  partnerId: number;
  /** Cards: the program they belong to; clients: whose registration settings apply (default program). */
  programId: number | null;
  encoding?: string;
  delimiter?: string;
  /** Rows per transaction; null: the whole file. */
  chunk: number | null;
  reportFile?: string;
  now: number;
  progress?: ProgressSink;
}

export interface ImportSummary {
  rows: number;
  applied: number;
  created: number;
  updated: number;
  rejected: number;
  rolledBackChunks: number;
  encoding: string;
  delimiter: string;
  reportFile: string | null;
  seconds: number;
}

export interface ProgressSink {
  update(rows: number, bytes: number, totalBytes: number): void;
  done(rows: number): void;
}

// ---- decoding ---------------------------------------------------------------------------------

/** UTF-8 (a BOM, or bytes that decode as UTF-8), UTF-16 by its BOM, otherwise Windows-1251. */
export function detectEncoding(sample: Buffer): string {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return "utf-8";
  if (sample[0] === 0xff && sample[1] === 0xfe) return "utf-16le";
  if (sample[0] === 0xfe && sample[1] === 0xff) return "utf-16be";
  // The sample may end inside a multi-byte character: leave the last three bytes out.
  const body = sample.length >= 65_536 ? sample.subarray(0, sample.length - 3) : sample;
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
  return counts[0]![1] > 0 ? counts[0]![0] : ",";
}

function readSample(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(65_536);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

// ---- values -----------------------------------------------------------------------------------

const HEADER_ALIASES: Record<string, string> = {
  номер: "number",
  "номер карты": "number",
  card: "number",
  card_number: "number",
  статус: "status",
  уровень: "level",
  виртуальная: "virtual",
  баланс: "balance",
  баллы: "balance",
  артикул: "sku",
  штрихкод: "barcode",
  наименование: "name",
  название: "name",
  категория: "category",
  бренд: "brand",
  производитель: "manufacturer",
  "минимальная цена": "min_price",
  имя: "name",
  фио: "name",
  телефон: "phone",
  почта: "email",
  "дата рождения": "birth_date",
  карта: "card_number",
};

function headerName(raw: string): string {
  const name = raw
    .trim()
    .toLowerCase()
    .replace(/^\ufeff/, "");
  return HEADER_ALIASES[name] ?? name.replace(/[\s-]+/g, "_");
}

class RowError extends Error {}

/** "1 234,56" or "1234.5" (rubles or points) → hundredths, without floating point. */
export function parseHundredths(raw: string, column: string): number {
  const text = raw.replace(/[\s\u00a0]/g, "").replace(",", ".");
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new RowError(`${column} "${raw}" is not an amount like 1234,50`);
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

function parseFlag(raw: string, column: string): boolean {
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "да", "y"].includes(v)) return true;
  if (["0", "false", "no", "нет", "n", ""].includes(v)) return false;
  throw new RowError(`${column} "${raw}" is not yes/no`);
}

const STATUS_ALIASES: Record<string, CardStatus> = {
  active: "active",
  активна: "active",
  blocked: "blocked",
  заблокирована: "blocked",
  accrual_only: "accrual_only",
  "только начисление": "accrual_only",
};

function text(row: Record<string, string>, column: string, max: number): string | null {
  const v = row[column]?.trim() ?? "";
  if (v === "") return null;
  if (v.length > max) throw new RowError(`${column} is longer than ${max} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(v))
    throw new RowError(`${column} contains control characters`);
  return v;
}

function cardOf(row: Record<string, string>, line: number): ImportedCard {
  const number = text(row, "number", 64);
  if (number === null) throw new RowError("number is empty");
  if (!/^[A-Za-z0-9-]+$/.test(number))
    throw new RowError(`number "${number}" may hold only letters, digits and dashes`);
  const rawStatus = text(row, "status", 32);
  let status: CardStatus | null = null;
  if (rawStatus !== null) {
    status = STATUS_ALIASES[rawStatus.toLowerCase()] ?? null;
    if (status === null) throw new RowError(`status "${rawStatus}" is not active, blocked or accrual_only`);
  }
  return {
    line,
    number,
    status,
    level: text(row, "level", 64),
    virtual: parseFlag(row.virtual ?? "", "virtual"),
    balance: row.balance?.trim() ? parseHundredths(row.balance, "balance") : 0,
  };
}

function productOf(row: Record<string, string>): ProductInput {
  const sku = text(row, "sku", 64);
  if (sku === null) throw new RowError("sku is empty");
  const name = text(row, "name", 500);
  if (name === null) throw new RowError("name is empty");
  return {
    sku,
    name,
    barcode: text(row, "barcode", 64),
    category: text(row, "category", 200),
    brand: text(row, "brand", 200),
    manufacturer: text(row, "manufacturer", 200),
    excludedFromPointsPayment: parseFlag(
      row.excluded_from_points_payment ?? "",
      "excluded_from_points_payment",
    ),
    excludedFromAccrual: parseFlag(row.excluded_from_accrual ?? "", "excluded_from_accrual"),
    minPrice: row.min_price?.trim() ? parseHundredths(row.min_price, "min_price") : 0,
  };
}

function clientOf(row: Record<string, string>): RegistrationForm {
  const birth = text(row, "birth_date", 10);
  let birthDate: string | null = null;
  if (birth !== null) {
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth) ?? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(birth);
    if (!iso) throw new RowError(`birth_date "${birth}" is not YYYY-MM-DD or DD.MM.YYYY`);
    birthDate = birth.includes("-") ? birth : `${iso[3]}-${iso[2]}-${iso[1]}`;
  }
  return {
    name: text(row, "name", 200),
    phone: text(row, "phone", 32),
    email: text(row, "email", 254),
    birthDate,
    cardNumber: text(row, "card_number", 64),
    externalId: text(row, "external_id", 64),
    // The accounting system collected the consent (on paper, at the till): a row may say it did not.
    consents: { personalData: row.consent === undefined ? true : parseFlag(row.consent, "consent") },
  };
}

// ---- the import loop ---------------------------------------------------------------------------

interface Applier {
  /** Takes one parsed row; returns a rejection reason or null. Buffered rows go in `flush`. */
  add(trx: Trx, row: Record<string, string>, line: number): Promise<string | null>;
  flush(
    trx: Trx,
  ): Promise<{ created: number; updated: number; rejected: { line: number; reason: string }[] }>;
}

const BATCH = 1000;

function cardApplier(partnerId: number, programId: number, now: number): Applier {
  const seen = new Set<string>();
  let pending: ImportedCard[] = [];
  return {
    async add(_trx, row, line) {
      const card = cardOf(row, line);
      if (seen.has(card.number)) return `number ${card.number} repeats an earlier row`;
      seen.add(card.number);
      pending.push(card);
      return null;
    },
    async flush(trx) {
      const batch = pending;
      pending = [];
      const r = await importCardChunk(trx, partnerId, programId, batch, now);
      return { created: r.created, updated: r.updated, rejected: r.rejected };
    },
  };
}

function productApplier(partnerId: number, now: number): Applier {
  const seen = new Set<string>();
  let pending: ProductInput[] = [];
  return {
    async add(_trx, row) {
      const product = productOf(row);
      if (seen.has(product.sku)) return `sku ${product.sku} repeats an earlier row`;
      seen.add(product.sku);
      pending.push(product);
      return null;
    },
    async flush(trx) {
      const batch = pending;
      pending = [];
      await upsertProductRows(trx, partnerId, batch, now);
      return { created: 0, updated: batch.length, rejected: [] };
    },
  };
}

function clientApplier(clients: ClientService, partnerId: number, programId: number): Applier {
  let created = 0;
  let existing = 0;
  let settings: Awaited<ReturnType<typeof registrationSettings>> | null = null;
  return {
    async add(trx, row) {
      settings ??= await registrationSettings(trx, programId);
      try {
        const outcome = await clients.importRow(trx, partnerId, settings, clientOf(row));
        if (outcome === "created") created++;
        else existing++;
        return null;
      } catch (error) {
        if (error instanceof DomainError) return `${error.code}: ${error.message}`;
        throw error;
      }
    },
    async flush() {
      const r = { created, updated: existing, rejected: [] };
      created = 0;
      existing = 0;
      return r;
    },
  };
}

class ChunkRolledBack extends Error {}

export async function importFile(
  kind: ImportKind,
  database: Database,
  clients: ClientService | null,
  options: ImportOptions,
): Promise<ImportSummary> {
  const started = Date.now();
  const sample = readSample(options.file);
  const encoding = options.encoding ?? detectEncoding(sample);
  if (!iconv.encodingExists(encoding)) throw new RowError(`unknown encoding ${encoding}`);
  const firstLine =
    iconv
      .decode(sample, encoding)
      .replace(/^\ufeff/, "")
      .split(/\r?\n/)[0] ?? "";
  const delimiter = options.delimiter ?? detectDelimiter(firstLine);
  const totalBytes = statSync(options.file).size;
  // Progress by what the parser has consumed (characters; bytes for single-byte encodings).
  let bytes = 0;
  const raw = createReadStream(options.file, { highWaterMark: 1 << 20 });
  const parser = raw.pipe(iconv.decodeStream(encoding, { stripBOM: true })).pipe(
    parse({
      delimiter,
      bom: true,
      columns: (header: string[]) => header.map(headerName),
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      info: true,
    }),
  );
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: Record<string, string>;
    info: { lines: number; bytes: number };
  }>;

  let applier: Applier;
  if (kind === "cards") applier = cardApplier(options.partnerId, options.programId!, options.now);
  else if (kind === "products") applier = productApplier(options.partnerId, options.now);
  else applier = clientApplier(clients!, options.partnerId, options.programId!);

  const summary: ImportSummary = {
    rows: 0,
    applied: 0,
    created: 0,
    updated: 0,
    rejected: 0,
    rolledBackChunks: 0,
    encoding,
    delimiter,
    reportFile: null,
    seconds: 0,
  };
  let report: WriteStream | null = null;
  const reject = (line: number, reason: string) => {
    if (!report) {
      summary.reportFile = options.reportFile ?? `${options.file}.rejected.csv`;
      report = createWriteStream(summary.reportFile);
      report.write("\ufeffline;reason\n");
    }
    report.write(`${line};"${reason.replace(/"/g, '""')}"\n`);
    summary.rejected++;
  };

  const chunkSize = options.chunk ?? Number.POSITIVE_INFINITY;
  let finished = false;
  while (!finished) {
    let rowsInChunk = 0;
    const counted = { created: 0, updated: 0 };
    try {
      await database.transaction(async (trx) => {
        let rejectedInChunk = 0;
        let buffered = 0;
        const flush = async () => {
          const r = await applier.flush(trx);
          counted.created += r.created;
          counted.updated += r.updated;
          for (const x of r.rejected) {
            reject(x.line, x.reason);
            rejectedInChunk++;
          }
          buffered = 0;
        };
        while (rowsInChunk < chunkSize) {
          const next = await records.next();
          if (next.done) {
            finished = true;
            break;
          }
          rowsInChunk++;
          summary.rows++;
          const { record, info } = next.value;
          bytes = info.bytes;
          let reason: string | null;
          try {
            reason = await applier.add(trx, record, info.lines);
          } catch (error) {
            if (!(error instanceof RowError)) throw error;
            reason = error.message;
          }
          if (reason !== null) {
            reject(info.lines, reason);
            rejectedInChunk++;
          } else if (++buffered >= BATCH) {
            await flush();
          }
          if ((summary.rows & 1023) === 0) options.progress?.update(summary.rows, bytes, totalBytes);
        }
        if (buffered > 0) await flush();
        if (rejectedInChunk > 0) throw new ChunkRolledBack();
      });
      summary.applied += rowsInChunk;
      summary.created += counted.created;
      summary.updated += counted.updated;
    } catch (error) {
      if (!(error instanceof ChunkRolledBack)) throw error;
      if (rowsInChunk > 0) summary.rolledBackChunks++;
    }
  }
  options.progress?.done(summary.rows);
  if (report) {
    const stream = report as WriteStream;
    await new Promise<void>((resolve) => stream.end(resolve));
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

// ---- progress ------------------------------------------------------------------------------------

/** A bar with rate and ETA on a terminal (redrawn in place); plain lines every 5 s otherwise. */
export function progressOn(stream: NodeJS.WriteStream): ProgressSink {
  const started = Date.now();
  let last = 0;
  const tty = stream.isTTY === true;
  const sink: ProgressSink = {
    update(rows, bytes, totalBytes) {
      const now = Date.now();
      if (now - last < (tty ? 200 : 5000)) return;
      last = now;
      const elapsed = Math.max(0.001, (now - started) / 1000);
      const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 1;
      const rate = Math.round(rows / elapsed);
      const eta = share > 0 ? Math.max(0, Math.round(elapsed / share - elapsed)) : 0;
      const percent = Math.floor(share * 100);
      if (tty) {
        const width = 30;
        const filled = Math.round(share * width);
        stream.write(
          `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(percent).padStart(3)}%  ${rows.toLocaleString("en")} rows  ${rate.toLocaleString("en")} rows/s  ETA ${eta} s `,
        );
      } else {
        stream.write(`import: ${rows} rows (${percent}%), ${rate} rows/s, ETA ${eta} s\n`);
      }
    },
    done(rows) {
      last = 0;
      sink.update(rows, 1, 1);
      if (tty) stream.write("\n");
    },
  };
  return sink;
}
