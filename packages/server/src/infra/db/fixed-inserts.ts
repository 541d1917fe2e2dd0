/**
 * The hot path's multi-row inserts as fixed statements (text with `?` placeholders, the same for both
 * dialects): the query builder would parse and compile every value of a batch. Rows built by one piece of
 * code share a few statement texts. Only text and rows here, no connection: the embedded database's
 * soft-write thread (soft-write-worker.ts) and the query layer run the same statements. (Imports of many rows at
 * once are bulk-insert.ts.)
 */

/** One statement: its text and its values, in order. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Rows that are inserted unless their unique key is taken, each with one dependent row that refers to the
 * new row's id: calculated purchases and their "calculated" events. `child.rows[i]` belongs to
 * `parent.rows[i]`. The key's columns hold text or integers, never null, and no two rows share a key:
 * the rows the database returns are matched to the plan's by their key's text.
 */
export interface ParentChildInsert {
  parent: {
    table: string;
    rows: readonly object[];
    /** The unique key's columns: a row whose key is taken is skipped, with its child. */
    key: readonly string[];
  };
  child: {
    table: string;
    rows: readonly object[];
    /** The child's column that receives the parent's new id. */
    parentIdColumn: string;
  };
}

/** What a `ParentChildInsert` did: the indexes of the parents skipped because their key was taken. */
export interface ParentChildOutcome {
  inserted: number;
  skipped: number[];
}

/**
 * Rows per statement at most: far below both databases' parameter limits (about 25 columns a row). A
 * batch is written in statements of power-of-two sizes, so that each table has only a few statement texts.
 */
const MAX_ROWS_PER_STATEMENT = 128;

/** `count` rows as statement sizes, largest first, each a power of two of at most MAX_ROWS_PER_STATEMENT. */
function statementSizes(count: number): number[] {
  const sizes: number[] = [];
  let left = count;
  for (; left >= MAX_ROWS_PER_STATEMENT; left -= MAX_ROWS_PER_STATEMENT) sizes.push(MAX_ROWS_PER_STATEMENT);
  for (let size = MAX_ROWS_PER_STATEMENT / 2; size >= 1; size /= 2)
    if (left >= size) {
      sizes.push(size);
      left -= size;
    }
  return sizes;
}

/**
 * A row's columns that have a value and those values, in the row's order: a fixed statement is written once
 * per set of columns (a column left undefined takes its default, as with the query builder).
 */
export function definedColumns(row: object): { columns: string[]; values: unknown[] } {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [column, value] of Object.entries(row))
    if (value !== undefined) {
      columns.push(column);
      values.push(value);
    }
  return { columns, values };
}

const insertTexts = new Map<string, string>();

/**
 * The statements that insert `rows`, `suffix` after each (`on conflict …`, `returning …`). A row with other
 * columns than the first goes in a statement of its own shape.
 */
function insertStatements(table: string, rows: readonly object[], suffix: string): Statement[] {
  // Per set of columns: its rows' values, one after another.
  const shapes = new Map<string, { width: number; values: unknown[] }>();
  for (const row of rows) {
    const { columns, values } = definedColumns(row);
    if (columns.length === 0) throw new Error(`a row for ${table} without any value`);
    const key = columns.join(", ");
    const shape = shapes.get(key);
    if (shape) shape.values.push(...values);
    else shapes.set(key, { width: columns.length, values });
  }
  const statements: Statement[] = [];
  for (const [key, { width, values }] of shapes) {
    let at = 0;
    for (const size of statementSizes(values.length / width)) {
      const textKey = `${table}|${key}|${size}|${suffix}`;
      let text = insertTexts.get(textKey);
      if (text === undefined) {
        const tuple = `(${new Array(width).fill("?").join(", ")})`;
        text = `insert into ${table} (${key}) values ${new Array(size).fill(tuple).join(", ")} ${suffix}`;
        insertTexts.set(textKey, text);
      }
      statements.push({ text, values: values.slice(at * width, (at + size) * width) });
      at += size;
    }
  }
  return statements;
}

/** The parents' inserts: each returns the id and the key of the rows it inserted. */
export function parentStatements(plan: ParentChildInsert): Statement[] {
  const key = plan.parent.key.join(", ");
  return insertStatements(
    plan.parent.table,
    plan.parent.rows,
    `on conflict (${key}) do nothing returning id, ${key}`,
  );
}

/** The children of the parents the statements of `parentStatements` inserted, given what those returned. */
export function childStatements(
  plan: ParentChildInsert,
  returned: readonly Record<string, unknown>[],
): { statements: Statement[]; outcome: ParentChildOutcome } {
  const { key } = plan.parent;
  if (plan.child.rows.length !== plan.parent.rows.length)
    throw new Error(
      `${plan.child.rows.length} child rows for ${plan.parent.rows.length} rows of ${plan.parent.table}`,
    );
  const keyOf = (row: Record<string, unknown>) => key.map((column) => String(row[column])).join("\u0000");
  const ids = new Map<string, unknown>();
  for (const row of returned) ids.set(keyOf(row), row.id);
  const children: object[] = [];
  const skipped: number[] = [];
  plan.parent.rows.forEach((parent, index) => {
    const id = ids.get(keyOf(parent as Record<string, unknown>));
    if (id === undefined) skipped.push(index);
    else children.push({ ...plan.child.rows[index], [plan.child.parentIdColumn]: id });
  });
  return {
    statements: insertStatements(plan.child.table, children, ""),
    outcome: { inserted: children.length, skipped },
  };
}
