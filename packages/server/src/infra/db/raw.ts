/**
 * Fixed statements of the hot path, run without the query builder. Building and compiling a Kysely query
 * costs tens of microseconds each time, more than SQLite takes to run a point query; these statements
 * never change shape, so their text is written once (with `?` placeholders, the same for both dialects)
 * and sent through the executor as an already compiled query: inside the caller's transaction, on
 * either database. The statement text must only use SQL that both dialects read alike.
 */
import { CompiledQuery, PostgresAdapter } from "kysely";
import type { Executor } from "./database.js";

const postgresText = new Map<string, string>();

function textFor(executor: Executor, text: string): string {
  if (!(executor.getExecutor().adapter instanceof PostgresAdapter)) return text;
  let converted = postgresText.get(text);
  if (converted === undefined) {
    let n = 0;
    converted = text.replace(/\?/g, () => `$${++n}`);
    postgresText.set(text, converted);
  }
  return converted;
}

export async function rawRows<R>(
  executor: Executor,
  text: string,
  parameters: readonly unknown[],
): Promise<R[]> {
  const result = await executor.executeQuery<R>(CompiledQuery.raw(textFor(executor, text), [...parameters]));
  return result.rows;
}

/** Whether the executor talks to PostgreSQL (for the few statements whose text differs, e.g. row locks). */
export function isPostgres(executor: Executor): boolean {
  return executor.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A fixed statement whose text depends only on a count (the rows of a multi-row insert, the items of an
 * `in` list): built on first use of each count, then reused.
 */
export function textPerCount(build: (count: number) => string): (count: number) => string {
  const texts = new Map<number, string>();
  return (count) => {
    let text = texts.get(count);
    if (text === undefined) {
      text = build(count);
      texts.set(count, text);
    }
    return text;
  };
}
