/**
 * The back office's night uploads: a CSV file of the accounting system (stores, stock with prices,
 * sell-out) sent to the server's native endpoints, with a progress bar and a send log.
 *
 * - The whole file is read and checked first (backoffice-csv.ts); one bad line refuses the file, every
 *   bad line is named, and nothing is sent. The stores a stock or sell-out file names are asked of the
 *   server before the first row goes, so an unknown store also refuses the file whole.
 * - Then it goes in as few requests as the server's limits allow: the store list in one (a `replace` split
 *   in two would remove the first half's stores), stock one request per store (each replaces that
 *   store's stock), sell-out in slices of 20,000 lines.
 * - Every call is idempotent (the same list, the same stock, sell-out keyed by store, receipt and line),
 *   so a retryable failure is retried here a few times, and a run cut in the middle is simply run again.
 * - The send log gets one line per run: time, job, kind, file, rows sent, and the server's answer or the
 *   error code. Counts and codes only: no cell of the file (a store's phones), no login, no secret.
 */
import { appendFileSync } from "node:fs";
import {
  type KopilkaClient,
  OutcomeUnknownError,
  ServerRejectedError,
  ServerUnavailableError,
  ServerUnreachableError,
} from "@kopilka/pos-sdk";
import { LIMITS, type ParsedUpload, type RowProblem, readUpload, type UploadKind } from "./backoffice-csv.js";

export interface UploadJob {
  /** The job's name in the log: the scheduler's, or `upload` for a one-off run. */
  name: string;
  kind: UploadKind;
  file: string;
  /** Stores: `merge` (default) writes the listed stores over; `replace` also removes those left out. */
  mode?: "merge" | "replace";
  /** Stock: the store of a file without a store column. */
  store?: string;
  encoding?: string;
  delimiter?: string;
}

export interface UploadOutcome {
  ok: boolean;
  /** Rows of the file (without the header). */
  rowsRead: number;
  /** Rows the server acknowledged. */
  rowsSent: number;
  /** The server's answers summed (`rows`, `lines`, `created`, …) when all went in. */
  answer: Record<string, number>;
  /** Why not: `BAD_CSV`, `FILE_NOT_FOUND`, `UNREACHABLE`, `NO_ANSWER`, or the server's code. */
  code?: string;
  /** The file's line the server's refusal points at, when it named a row. */
  line?: number;
  field?: string;
  message?: string;
  problems?: RowProblem[];
}

/** Where the progress goes: a bar on a terminal, a line every few seconds otherwise (stderr). */
export interface Progress {
  update(phase: "reading" | "sending", done: number, total: number): void;
  done(): void;
}

/** A bar with rate and ETA, as the server's `kopilka import` draws it, redrawn in place on a terminal. */
export function progressOn(stream: NodeJS.WriteStream, label: string): Progress {
  const tty = stream.isTTY === true;
  let started = Date.now();
  let last = 0;
  let phase = "";
  let drawn = false;
  return {
    update(now, done, total) {
      const t = Date.now();
      if (now !== phase) {
        if (drawn && tty) stream.write("\n");
        drawn = false;
        phase = now;
        started = t;
        last = tty ? 0 : t;
      }
      // In a log file (not a terminal) a short phase leaves no line at all; a long one, one per 5 s.
      if (!tty && (t - last < 5000 || done >= total)) return;
      if (tty && t - last < 200 && done < total) return;
      last = t;
      drawn = true;
      const share = total > 0 ? Math.min(1, done / total) : 1;
      const elapsed = Math.max(0.001, (t - started) / 1000);
      const eta = share > 0 ? Math.max(0, Math.round(elapsed / share - elapsed)) : 0;
      const percent = Math.floor(share * 100);
      const unit = now === "reading" ? "bytes" : "rows";
      if (tty) {
        const width = 30;
        const filled = Math.round(share * width);
        stream.write(
          `\r${label} ${now} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(percent).padStart(3)}%  ${done.toLocaleString("en")}/${total.toLocaleString("en")} ${unit}  ETA ${eta} s `,
        );
      } else {
        stream.write(`${label}: ${now} ${done}/${total} ${unit} (${percent}%), ETA ${eta} s\n`);
      }
    },
    done() {
      if (drawn && tty) stream.write("\n");
    },
  };
}

const SILENT: Progress = { update() {}, done() {} };

/** Uploads are long calls: 200k stock rows take seconds on the server, more over a slow line. */
const UPLOAD_TIMEOUT_MS = 300_000;
/** Retryable failures (outage, timeout, cut connection) are tried again after these pauses. */
const RETRY_PAUSES_MS = [1_000, 5_000];

export interface UploadOptions {
  progress?: Progress;
  timeoutMs?: number;
  retryPausesMs?: readonly number[];
}

/** Reads, checks and sends one file. Never throws for the file's or the server's faults: see the outcome. */
export async function runUpload(
  client: KopilkaClient,
  job: UploadJob,
  options: UploadOptions = {},
): Promise<UploadOutcome> {
  const progress = options.progress ?? SILENT;
  let parsed: ParsedUpload;
  try {
    parsed = await readUpload(job.kind, job.file, {
      ...(job.encoding ? { encoding: job.encoding } : {}),
      ...(job.delimiter ? { delimiter: job.delimiter } : {}),
      ...(job.store ? { store: job.store } : {}),
      onProgress: (_rows, bytes, total) => progress.update("reading", bytes, total),
    });
  } catch (error) {
    progress.done();
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      rowsRead: 0,
      rowsSent: 0,
      answer: {},
      code: code === "ENOENT" ? "FILE_NOT_FOUND" : "FILE_UNREADABLE",
      message: (error as Error).message,
    };
  }
  const base = { rowsRead: parsed.rows, answer: {} as Record<string, number> };
  if (parsed.problems.length > 0) {
    progress.done();
    return { ok: false, ...base, rowsSent: 0, code: "BAD_CSV", problems: parsed.problems };
  }
  const sender = new Sender(client, job, parsed, progress, options);
  try {
    await sender.preflight();
    if (sender.problems.length > 0) {
      return { ok: false, ...base, rowsSent: 0, code: "BAD_CSV", problems: sender.problems };
    }
    await sender.send();
    return { ok: true, ...base, rowsSent: sender.sent, answer: sender.answer };
  } catch (error) {
    return { ...sender.failure(error), ...base, rowsSent: sender.sent, answer: sender.answer };
  } finally {
    progress.done();
  }
}

/** One request's rows: the file's lines of its items, so that `items[3].price` names a line. */
interface Slice {
  path: string;
  method: "PUT" | "POST";
  body: unknown;
  lines: number[];
  itemsField: string;
  countOf: (answer: Record<string, number>) => number;
}

class Sender {
  sent = 0;
  answer: Record<string, number> = {};
  problems: RowProblem[] = [];
  private current: Slice | null = null;
  private readonly total: number;

  constructor(
    private readonly client: KopilkaClient,
    private readonly job: UploadJob,
    private readonly parsed: ParsedUpload,
    private readonly progress: Progress,
    private readonly options: UploadOptions,
  ) {
    this.total = parsed.stores.length + parsed.sellout.length;
    for (const rows of parsed.stock.values()) this.total += rows.length;
  }

  /** The stores a stock or sell-out file names must exist (and be this credential's): checked first. */
  async preflight(): Promise<void> {
    const firstLine = new Map<string, number>();
    if (this.parsed.kind === "stock")
      for (const [store, rows] of this.parsed.stock) firstLine.set(store, rows[0]!.line);
    if (this.parsed.kind === "sellout")
      for (const { line, row } of this.parsed.sellout)
        if (!firstLine.has(row.storeCode)) firstLine.set(row.storeCode, line);
    for (const [store, line] of firstLine) {
      try {
        await this.call("GET", `/v1/stores/${encodeURIComponent(store)}`, undefined);
      } catch (error) {
        if (!(error instanceof ServerRejectedError) || ![403, 404].includes(error.status)) throw error;
        this.problems.push({
          line,
          field: "store",
          message: `store ${store}: ${error.code} ${error.message}`,
        });
      }
    }
  }

  private slices(): Slice[] {
    const { kind } = this.parsed;
    if (kind === "stores") {
      return [
        {
          path: "/v1/stores",
          method: "PUT",
          body: { mode: this.job.mode ?? "merge", stores: this.parsed.stores.map((s) => s.row) },
          lines: this.parsed.stores.map((s) => s.line),
          itemsField: "stores",
          countOf: (a) => a.stores ?? 0,
        },
      ];
    }
    if (kind === "stock") {
      return [...this.parsed.stock].map(([store, rows]) => ({
        path: `/v1/stores/${encodeURIComponent(store)}/stock`,
        method: "PUT" as const,
        body: { items: rows.map((r) => r.row) },
        lines: rows.map((r) => r.line),
        itemsField: "items",
        countOf: (a: Record<string, number>) => a.rows ?? 0,
      }));
    }
    const out: Slice[] = [];
    for (let i = 0; i < this.parsed.sellout.length; i += LIMITS.selloutPerRequest) {
      const part = this.parsed.sellout.slice(i, i + LIMITS.selloutPerRequest);
      out.push({
        path: "/v1/sellout",
        method: "POST",
        body: { lines: part.map((r) => r.row) },
        lines: part.map((r) => r.line),
        itemsField: "lines",
        countOf: (a) => a.lines ?? 0,
      });
    }
    return out;
  }

  async send(): Promise<void> {
    this.progress.update("sending", 0, this.total);
    for (const slice of this.slices()) {
      this.current = slice;
      const answer = await this.call<Record<string, number>>(slice.method, slice.path, slice.body);
      for (const [k, v] of Object.entries(answer)) {
        if (typeof v === "number") this.answer[k] = (this.answer[k] ?? 0) + v;
      }
      this.sent += slice.lines.length;
      this.progress.update("sending", this.sent, this.total);
    }
    this.current = null;
  }

  /** One call, tried again on a retryable failure: every upload call is idempotent. */
  private async call<T>(method: "GET" | "PUT" | "POST", path: string, body: unknown): Promise<T> {
    const pauses = this.options.retryPausesMs ?? RETRY_PAUSES_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const timeoutMs = method === "GET" ? undefined : (this.options.timeoutMs ?? UPLOAD_TIMEOUT_MS);
        const r = await this.client.request<T>("purchase", method, path, body, {
          ...(timeoutMs ? { timeoutMs } : {}),
        });
        return r.body;
      } catch (error) {
        const retryable =
          error instanceof ServerUnavailableError ||
          error instanceof OutcomeUnknownError ||
          error instanceof ServerUnreachableError;
        if (!retryable || attempt >= pauses.length) throw error;
        const asked = error instanceof ServerUnavailableError ? (error.retryAfterMs ?? 0) : 0;
        await new Promise((r) => setTimeout(r, Math.max(pauses[attempt]!, asked)));
      }
    }
  }

  /** The failure as the outcome tells it, with the file's line when the server named an item. */
  failure(error: unknown): Omit<UploadOutcome, "rowsRead" | "rowsSent" | "answer"> {
    if (error instanceof ServerRejectedError) {
      const field = error.field;
      const slice = this.current;
      const m = field && slice ? new RegExp(`^${slice.itemsField}\\[(\\d+)\\]\\.?(.*)$`).exec(field) : null;
      const line = m ? slice!.lines[Number(m[1])] : undefined;
      return {
        ok: false,
        code: error.code,
        ...(line !== undefined ? { line } : {}),
        ...(field !== undefined ? { field: m ? m[2] || field : field } : {}),
        message: error.message,
      };
    }
    if (error instanceof ServerUnavailableError)
      return { ok: false, code: error.code, message: error.message };
    if (error instanceof ServerUnreachableError)
      return { ok: false, code: "UNREACHABLE", message: `${error.reason}: ${error.message}` };
    if (error instanceof OutcomeUnknownError)
      return { ok: false, code: "NO_ANSWER", message: `${error.reason}: ${error.message}` };
    return { ok: false, code: "ERROR", message: (error as Error).message };
  }
}

// ---- the send log ----------------------------------------------------------------------------------

/** A field of a log line: no tab or line break can split it. */
const cell = (s: string) => s.replace(/[\t\r\n]+/g, " ");

/**
 * One line of the send log, tab-separated: time, job, kind, file, `rows=N` (sent), then `ok` with the
 * server's counts, or `error CODE` with the line and field, or `refused BAD_CSV` with the bad lines
 * (numbers and columns only: never a cell's value, which may be a store's phone).
 */
export function logLine(at: Date, job: UploadJob, outcome: UploadOutcome): string {
  let result: string;
  if (outcome.ok) {
    result = `ok ${Object.entries(outcome.answer)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`;
  } else if (outcome.code === "BAD_CSV") {
    const bad = outcome.problems ?? [];
    const shown = bad
      .slice(0, 20)
      .map((p) => `${p.line}(${p.field || "-"})`)
      .join(" ");
    result = `refused BAD_CSV ${bad.length} bad: ${shown}${bad.length > 20 ? " …" : ""}`;
  } else {
    result = `error ${outcome.code}${outcome.line !== undefined ? ` line=${outcome.line}` : ""}${outcome.field ? ` field=${outcome.field}` : ""}`;
  }
  return [
    at.toISOString(),
    job.name,
    job.kind,
    job.file,
    `read=${outcome.rowsRead}`,
    `sent=${outcome.rowsSent}`,
    result,
  ]
    .map(cell)
    .join("\t");
}

export function appendLog(file: string, line: string): void {
  appendFileSync(file, `${line}\n`);
}

/** What the person at the terminal reads (stderr): every bad line, or the server's refusal. */
export function describeOutcome(job: UploadJob, outcome: UploadOutcome): string[] {
  if (outcome.ok) {
    const counts = Object.entries(outcome.answer)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    return [`${job.kind} ${job.file}: sent ${outcome.rowsSent} rows (${counts})`];
  }
  if (outcome.code === "BAD_CSV") {
    return [
      `${job.kind} ${job.file}: refused, nothing sent: ${outcome.problems?.length ?? 0} bad line(s)`,
      ...(outcome.problems ?? []).map(
        (p) => `  line ${p.line}${p.field ? `, ${p.field}` : ""}: ${p.message}`,
      ),
    ];
  }
  const where =
    outcome.line !== undefined ? ` (line ${outcome.line}${outcome.field ? `, ${outcome.field}` : ""})` : "";
  return [
    `${job.kind} ${job.file}: ${outcome.code}${where}: ${outcome.message ?? ""}; sent ${outcome.rowsSent} of ${outcome.rowsRead} rows`,
  ];
}
