/**
 * The one place where dynamic SQL text is made. Column names come from user
 * files, so every identifier goes through `ident` and every literal that cannot
 * be a bound parameter (table-function options, DDL) goes through `literal`.
 */
import { ReconError } from '../errors/recon-error.ts';

/** Quotes an identifier for DuckDB: "col ""x""". */
export function ident(name: string): string {
  // A NUL comes from input (a column name, a delimiter): refused as such, never an internal error.
  if (name.includes('\u0000')) throw new ReconError('INVALID_ARGUMENT', 'a name contains a NUL character (\\u0000)');
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB: 'it''s'. */
export function literal(value: string): string {
  if (value.includes('\u0000')) throw new ReconError('INVALID_ARGUMENT', 'a value contains a NUL character (\\u0000)');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A DuckDB list literal of strings: ['a', 'b']. */
export function literalList(values: readonly string[]): string {
  return `[${values.map(literal).join(', ')}]`;
}

/** A validated decimal literal (tolerances are strings in the definition, exact). */
export function decimalLiteral(value: string): string {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    throw new Error(`not a decimal number: ${value}`);
  }
  return value;
}
