/**
 * The one place where dynamic SQL text is made. Column names come from user
 * files, so every identifier goes through `ident` and every literal that cannot
 * be a bound parameter (table-function options, DDL) goes through `literal`.
 */

/** Quotes an identifier for DuckDB: "col ""x""". */
export function ident(name: string): string {
  if (name.includes('\u0000')) throw new Error('identifier contains NUL');
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB: 'it''s'. */
export function literal(value: string): string {
  if (value.includes('\u0000')) throw new Error('literal contains NUL');
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
