/** What every migration needs: the untyped database it runs on, and tables with a dialect's id column. */
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../database.js";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not as it is typed now
export type AnyDb = Kysely<any>;
export type Table = CreateTableBuilder<string, never>;

/** Epoch-millisecond timestamps. */
export const MS = "bigint" as const;

/** A new table whose first column is an integer id: an identity on PostgreSQL, a rowid alias on SQLite. */
export function tableWithId(db: AnyDb, dialect: Dialect, name: string): Table {
  const table = db.schema.createTable(name) as unknown as Table;
  return dialect === "postgres"
    ? table.addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
}
