/**
 * The `sql` tagged template: the only way store code builds a statement.
 * Interpolated values always become `?` parameters, so a value can never be
 * read as SQL; identifiers are written literally in the template text.
 */
import type Database from 'better-sqlite3';

/** What SQLite can bind. Booleans are stored as 0/1 by the caller. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** A statement with its parameters, ready to prepare. */
export interface SqlQuery {
  readonly text: string;
  readonly params: readonly SqlValue[];
}

/** sql`SELECT * FROM runs WHERE run_id = ${id}` → { text: '... = ?', params: [id] }. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): SqlQuery {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) text += `?${strings[i + 1] ?? ''}`;
  return { text, params: values };
}

/** A JSON array parameter for `IN (SELECT value FROM json_each(?))`, instead of building `IN (?, ?, …)`. */
export function jsonList(values: readonly (string | number)[]): string {
  return JSON.stringify(values);
}

// Prepared statements are cached per connection: the same text is prepared once.
const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The prepared statement for a query on this connection. */
export function prepare(db: Database.Database, q: SqlQuery): Database.Statement {
  let byText = cache.get(db);
  if (!byText) {
    byText = new Map();
    cache.set(db, byText);
  }
  let st = byText.get(q.text);
  if (!st) {
    st = db.prepare(q.text);
    byText.set(q.text, st);
  }
  return st;
}

/** Runs a statement that returns no rows. */
export function runSql(db: Database.Database, q: SqlQuery): Database.RunResult {
  return prepare(db, q).run(...q.params);
}

/** The first row, or undefined. */
export function getRow<T>(db: Database.Database, q: SqlQuery): T | undefined {
  return prepare(db, q).get(...q.params) as T | undefined;
}

/** Every row. */
export function allRows<T>(db: Database.Database, q: SqlQuery): T[] {
  return prepare(db, q).all(...q.params) as T[];
}

/** Rows one at a time, for long scans (the audit chain). */
export function iterateRows<T>(db: Database.Database, q: SqlQuery): IterableIterator<T> {
  return prepare(db, q).iterate(...q.params) as IterableIterator<T>;
}
