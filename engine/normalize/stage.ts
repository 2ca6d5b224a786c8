import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourceOptions } from '../definition/schema.ts';
import type { ResolvedDefinition, ResolvedField } from '../definition/resolve.ts';
import { queryOne, queryRows, runWithProgress, type ProgressListener } from '../duckdb/open.ts';
import { DUCKDB } from '../sql/dialect.ts';
import type { LoadedSource } from '../ingest/load-source.ts';
import { appendRejects, type RejectRow } from '../ingest/rejects.ts';
import { ident, literal } from '../sql/quote.ts';
import { fieldSql, trimSql, untypedRejects, untypedWarning } from './sql.ts';
import { visibleText } from './visible-text.ts';

/**
 * Builds the staged table `a` / `b`: one row per loaded record, with every
 * field typed, normalized and adjusted by the side's `adjust` rule (columns
 * named after the fields), `__rid` (the record's 0-based position among
 * loaded records), `__key` (the key as text, composite parts joined with
 * "|"), `__key_text` (the key as the file spelled it, for the integrity hash
 * and the record view),
 * `__bad` (a value failed to cast or its adjusted form does not fit its type,
 * or the key is empty) and, for bad rows only, `__raw` (the raw text of
 * every field, so a reject can quote it without keeping a raw copy of the
 * whole file). Bad rows stay in the table for the record view but are
 * excluded from the compare; each failing cell is written to `rejects` with
 * its line, column, raw value and reason.
 */
export interface StagedSource {
  table: 'a' | 'b';
  staged: number;
  rejected: number;
  /** For the run's summary: per decimal field, how many staged values rounding to the scale changed. */
  warnings: string[];
}

/** Formats DuckDB reads from the file itself (read_csv), where a read of some columns skips the others' validation. */
const WHOLE_READ_FORMATS: ReadonlySet<string> = new Set(['csv', 'tsv', 'txt']);

export async function stageSource(
  conn: DuckDBConnection,
  resolved: ResolvedDefinition,
  loaded: LoadedSource,
  source: SourceOptions,
  onProgress?: ProgressListener,
  signal?: AbortSignal,
  rowsCatalog?: string,
): Promise<StagedSource> {
  const side = loaded.side;
  const table = side;
  // The staged rows live in the run's file, or for a keyed run that fits in memory in its
  // in-memory stage (normalize/break-records.ts); the view `a`/`b` is in the file either way.
  const rowsTable = rowsCatalog ? `${rowsCatalog}.${table}_rows` : `${table}_rows`;
  const fields = resolved.fields.map((f, i) => ({ f, i, sql: fieldSql(f, side, source, loaded.file.format, DUCKDB, loaded.onlySpacesPad) }));
  const col = (f: (typeof fields)[number]['f']): string => (side === 'a' ? f.aColumn : f.bColumn);

  const cleanCols = fields.map(({ i, sql }) => `${sql.clean(`__r${i}`)} AS __s${i}`);
  // The key as the file spells it, trimmed. A trimmed field without NULL markers has its trimmed
  // text in its clean column already (coalesce(nullif(x, ''), '') is x): trimming a unique key
  // again cost ~0.1-0.2 s of CPU per side and million rows, most where every value is padded.
  const cleanIsTrimmed = (f: (typeof fields)[number]['f']): boolean => f.trim && (source.nullValues ?? []).length === 0;
  const keyRaw = resolved.keyFields
    .map((k) => {
      const i = fields.find((x) => x.f === k)!.i;
      return cleanIsTrimmed(k) ? `coalesce(__s${i}, '')` : `coalesce(${trimSql(`__r${i}`, DUCKDB, loaded.onlySpacesPad)}, '')`;
    })
    .join(` || '|' || `);
  const textCols = fields.map(({ i, sql }) => `${sql.text(`__s${i}`)} AS __t${i}`);
  // Integers and decimals without an adjust rule are stored in 64 bits (FieldSql.narrow):
  // 128-bit columns cost ~0.3 s per side and million rows to write and as much again
  // to scan. The rare value that needs more goes to a mostly-NULL `__wide<i>`, and
  // the view puts the two back together as the field's own type.
  const narrowed = new Set(fields.filter(({ sql }) => sql.narrow && !sql.adjust).map(({ i }) => i));
  const value = (i: number): string => (narrowed.has(i) ? `coalesce(__wide${i}, ${ident(fields[i]!.f.name)})` : ident(fields[i]!.f.name));
  // Every name the steps use starts with "__", which no field's name may (definition/schema.ts).
  // A field with an `adjust` is cast to __v<i> first, then adjusted into its own column one layer up.
  // A narrowed number is cast to __u<i> unchecked, its spelling checked into __k<i> one
  // layer up (0 stands, 1 reject, 2 rounded: FieldSql.narrow.status, which compares the
  // printed cast with the text), and the field's column is __u<i> where __k<i> is not 1,
  // another layer up.
  const typedCols = fields.map(({ f, i, sql }) =>
    narrowed.has(i) ? `${sql.narrow!.unchecked(`__t${i}`)} AS __u${i}` : `${sql.typed(`__t${i}`)} AS ${sql.adjust ? `__v${i}` : ident(f.name)}`,
  );
  const statusCols = [...narrowed].map((i) => `${fields[i]!.sql.narrow!.status(`__t${i}`, `__u${i}`)} AS __k${i}`);
  const checkedCols = [...narrowed].map((i) => `CASE WHEN __k${i} <> 1 THEN __u${i} END AS ${ident(fields[i]!.f.name)}`);
  const adjustCols = fields.flatMap(({ f, i, sql }) => (sql.adjust ? [`${sql.adjust.sql(`__v${i}`)} AS ${ident(f.name)}`] : []));
  const wideCols = fields
    .filter(({ i }) => narrowed.has(i))
    .map(({ f, i, sql }) => `CASE WHEN ${ident(f.name)} IS NULL AND __t${i} IS NOT NULL THEN ${sql.typed(`__t${i}`)} END AS __wide${i}`);
  const keyIdx = resolved.keyFields.map((k) => fields.find((x) => x.f === k)!.i);
  const matchEmptyParts = resolved.definition.emptyKeyParts === 'match' && keyIdx.length > 1;
  // A value that did not type rejects its record, but in a field not compared (sql.ts untypedRejects):
  // there it is left empty, flagged in a mostly-NULL `__untyped<i>` and counted for the warnings.
  const untyped = (i: number): string => `(__t${i} IS NOT NULL AND ${value(i)} IS NULL)`;
  const lenient = fields.filter(({ f }) => f.type !== 'string' && !untypedRejects(f, resolved));
  const badParts = [
    ...fields.filter(({ f }) => untypedRejects(f, resolved)).map(({ i }) => untyped(i)),
    // An empty key part rejects the row, unless the definition matches empty parts
    // as values (emptyKeyParts "match"); a key with every part empty is never a key.
    ...(matchEmptyParts ? [`(${keyIdx.map((i) => `${value(i)} IS NULL`).join(' AND ')})`] : keyIdx.map((i) => `${value(i)} IS NULL`)),
  ];
  // Composite parts are joined with "|". A "\" or "|" inside a part is escaped ("\\", "\|"),
  // so two keys never collide: escaping "|" alone makes ("a\", "b|c") and ("a|b\", "c") both "a\|b\|c".
  const singleKey = keyIdx.length === 1;
  const keyExpr = singleKey
    ? `CAST(${value(keyIdx[0]!)} AS VARCHAR)`
    : keyIdx
        .map((i) => (matchEmptyParts ? `coalesce(CAST(${value(i)} AS VARCHAR), '')` : `CAST(${value(i)} AS VARCHAR)`))
        .map((part) => `replace(replace(${part}, '\\', '\\\\'), '|', '\\|')`)
        .join(` || '|' || `);
  // Writing a column of unique strings costs ~0.2 s per million rows, so the
  // table stores no copy of the key that its fields already hold: a
  // single-column key is the field itself (the view casts it), and the key as
  // the file spelled it is stored (`__key_spelling`) only where it differs
  // from the typed key parts as text, which for trimmed text keys is almost never.
  const keyParts = keyIdx.map((i) => `coalesce(CAST(${value(i)} AS VARCHAR), '')`).join(` || '|' || `);
  const wideNames = [...narrowed].map((i) => `__wide${i}`);
  const viewReplace = [...narrowed].map((i) => `CAST(${value(i)} AS ${fields[i]!.sql.sqlType}) AS ${ident(fields[i]!.f.name)}`);

  // Decimals whose text has digits other than 0 beyond the scale were changed by rounding:
  // flagged in a mostly-NULL column per field (nearly free to write), counted for the warnings.
  // A narrowed field's status says so (2); an adjusted one's text is checked here.
  const rounding = fields.filter(({ sql }) => sql.rounded);
  const roundedNames = rounding.map(({ i }) => `__rounded${i}`);
  const untypedNames = lenient.map(({ i }) => `__untyped${i}`);
  const untypedCols = lenient.map(({ i }) => `CASE WHEN ${untyped(i)} THEN true END AS __untyped${i}`);
  const roundedCols = rounding.filter(({ i }) => !narrowed.has(i)).map(({ i, sql }) => `CASE WHEN ${sql.rounded!(`__t${i}`)} THEN true END AS __rounded${i}`);
  const roundedStatusCols = rounding.filter(({ i }) => narrowed.has(i)).map(({ i }) => `CASE WHEN __k${i} = 2 THEN true END AS __rounded${i}`);
  const rawList = `[${fields.map(({ i }) => `__r${i}`).join(', ')}]::VARCHAR[]`;
  const rawCols = fields.map(({ f, i }) => `${ident(col(f))} AS __r${i}`);
  // A delimited file is read whole even when the definition stages some of its columns (a matching
  // run, compareUnlisted false): DuckDB 1.5 fails fatally reading a subset of a file's columns when
  // one it reads, not the first, holds bytes that are not UTF-8. A test the optimizer cannot drop
  // makes it read them all; a record whose text is not UTF-8 anywhere is then a reject, as when every
  // column is staged.
  const listed = new Set(fields.map(({ f }) => col(f)));
  const unlisted = loaded.columns.filter((c) => !listed.has(c));
  const readWhole = unlisted.length > 0 && WHOLE_READ_FORMATS.has(loaded.file.format) ? ` WHERE strlen(concat(${unlisted.map(ident).join(', ')})) >= 0` : '';
  // The staged rows keep the reader's (file) order, so a row's rowid is its
  // position among loaded records: that is what locates a reject at its line.
  // `a`/`b` are views adding that position as `__rid` over `a_rows`/`b_rows`;
  // numbering with a window instead cost ~40% more in DuckDB 1.5.
  const typedLayer = `SELECT __key_text, ${fields.map(({ i }) => `__r${i}`).join(', ')}, ${fields.map(({ i }) => `__t${i}`).join(', ')}, ${[...typedCols, ...roundedCols].join(', ')}
                         FROM (SELECT ${keyRaw} AS __key_text, ${fields.map(({ i }) => `__r${i}`).join(', ')}, ${fields.map(({ i }) => `__s${i}`).join(', ')}, ${textCols.join(', ')}
                                 FROM (SELECT ${fields.map(({ i }) => `__r${i}`).join(', ')}, ${cleanCols.join(', ')}
                                         FROM (SELECT ${rawCols.join(', ')} FROM ${loaded.rawRelation}${readWhole})))`;
  const checkedLayer =
    statusCols.length === 0 ? typedLayer : `SELECT *, ${[...checkedCols, ...roundedStatusCols].join(', ')} FROM (SELECT *, ${statusCols.join(', ')} FROM (${typedLayer}))`;
  const adjustLayer = adjustCols.length === 0 ? checkedLayer : `SELECT *, ${adjustCols.join(', ')} FROM (${checkedLayer})`;
  const finalLayer = wideCols.length === 0 ? adjustLayer : `SELECT *, ${wideCols.join(', ')} FROM (${adjustLayer})`;
  const staging = `SELECT ${[...fields.map(({ f }) => ident(f.name)), ...wideNames, ...roundedNames, ...untypedCols].join(', ')}, ${singleKey ? '' : `${keyExpr} AS __key, `}
              CASE WHEN __key_text <> ${keyParts} THEN __key_text END AS __key_spelling, __bad,
              CASE WHEN __bad THEN ${rawList} END AS __raw
         FROM (SELECT *, (${badParts.join(' OR ')}) AS __bad
                 FROM (${finalLayer}))`;
  await conn.run('SET preserve_insertion_order = true');
  try {
    const uncompressed = [singleKey ? fields[keyIdx[0]!]!.f.name : '__key', ...(await mostlyDistinctFields(conn, loaded, fields.map(({ f }) => f).filter((f) => f.type === 'string'), col))];
    await createStagedTable(conn, rowsTable, staging, uncompressed);
    await runWithProgress(conn, `INSERT INTO ${rowsTable} ${staging}`, onProgress, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    throw await loaded.explainReadError(err);
  }
  await loaded.afterRead();
  // rowids of a table made inside an open transaction start near 2^55, not 0.
  const { base } = await queryOne<{ base: string }>(conn, `SELECT CAST(coalesce(min(rowid), 0) AS VARCHAR) AS base FROM ${rowsTable}`);
  await conn.run(
    `CREATE OR REPLACE VIEW ${table} AS
     SELECT rowid - ${BigInt(base).toString()} AS __rid,
            * EXCLUDE (${['__key_spelling', ...wideNames, ...roundedNames, ...untypedNames].join(', ')})${viewReplace.length > 0 ? ` REPLACE (${viewReplace.join(', ')})` : ''}${singleKey ? `, ${keyExpr} AS __key` : ''},
            coalesce(__key_spelling, ${keyParts}) AS __key_text
       FROM ${rowsTable}`,
  );

  const { rejected } = await queryOne<{ rejected: string }>(conn, `SELECT count(*) FILTER (WHERE __bad) AS rejected FROM ${table}`);
  if (Number(rejected) > 0) await writeCastRejects(conn, resolved, loaded, source, table);
  const counts = await queryOne<Record<string, string>>(
    conn,
    `SELECT ${['count(*) AS n', ...[...roundedNames, ...untypedNames].map((r) => `count(${r}) AS ${r}`)].join(', ')} FROM ${rowsTable} WHERE NOT __bad`,
  );
  const untypedWarnings = lenient.flatMap(({ f, i, sql }) => {
    const count = Number(counts[`__untyped${i}`]);
    return count === 0 ? [] : [untypedWarning(f, sql, count)];
  });
  const roundingWarnings = rounding.flatMap(({ f, i }) => {
    const count = Number(counts[`__rounded${i}`]);
    if (count === 0) return [];
    const to =
      f.type === 'timestamp'
        ? 'had more than 6 digits of a second and were rounded to microseconds'
        : f.scale === 0
          ? 'had decimals and were rounded to whole numbers'
          : `had more than ${f.scale} decimals and were rounded to ${f.scale}`;
    return [`${f.name}: ${count} value(s) ${to}`];
  });
  return { table, staged: Number(counts['n']), rejected: Number(rejected), warnings: [...roundingWarnings, ...untypedWarnings] };
}

/**
 * Creates the empty table the staging statement fills, with its columns' own types.
 * The key's text, and text fields whose values are mostly distinct, are stored
 * uncompressed: the file would choose so anyway for such strings, but only after
 * DuckDB tried a dictionary for every block of them, which cost ~0.2 s a side and
 * million rows per column (~10% of staging for the key alone; 60 columns of references
 * took ~3.5 s a side) for nothing.
 */
async function createStagedTable(conn: DuckDBConnection, name: string, select: string, uncompressedColumns: readonly string[]): Promise<void> {
  const columns = await queryRows<{ column_name: string; column_type: string }>(conn, `DESCRIBE ${select}`);
  const defs = columns.map(({ column_name: c, column_type: t }) => `${ident(c)} ${t}${t === 'VARCHAR' && uncompressedColumns.includes(c) ? ' USING COMPRESSION uncompressed' : ''}`);
  await conn.run(`CREATE OR REPLACE TABLE ${name} (${defs.join(', ')})`);
}

/** A text column whose sampled values are at least this share distinct gains nothing from a dictionary. */
const MOSTLY_DISTINCT = 0.5;
/** Fewer sampled values than this say nothing of a column (a column empty at the top of a file). */
const MIN_SAMPLED_VALUES = 1_000;

/**
 * The text fields whose values, in the first records of the source (`sampleRelation`),
 * are mostly distinct: references, ids, free text. A wrong guess costs only disk or
 * time, never a value: a dictionary-worthy column stored uncompressed makes a bigger
 * file, and a unique one left to DuckDB costs its dictionary attempts.
 */
export async function mostlyDistinctFields(
  conn: DuckDBConnection,
  loaded: LoadedSource,
  fields: readonly ResolvedField[],
  column: (f: ResolvedField) => string,
): Promise<string[]> {
  if (fields.length === 0) return [];
  // Only a choice of storage: a sample that cannot be read leaves every column to DuckDB,
  // and the staging statement reports what is wrong with the file.
  const counts = await queryOne<Record<string, string>>(
    conn,
    `SELECT ${fields.map((f, i) => `count(${ident(column(f))}) AS n${i}, count(DISTINCT ${ident(column(f))}) AS d${i}`).join(', ')} FROM ${loaded.sampleRelation}`,
  ).catch(() => undefined);
  if (counts === undefined) return [];
  return fields.flatMap((f, i) => {
    const n = Number(counts[`n${i}`]);
    return n >= MIN_SAMPLED_VALUES && Number(counts[`d${i}`]) >= MOSTLY_DISTINCT * n ? [f.name] : [];
  });
}

const REJECT_BATCH = 50_000;

/** One reject row per failing cell, located at its line; streamed in batches. */
async function writeCastRejects(
  conn: DuckDBConnection,
  resolved: ResolvedDefinition,
  loaded: LoadedSource,
  source: SourceOptions,
  table: string,
): Promise<void> {
  const side = loaded.side;
  const emptyPart = (f: (typeof resolved.fields)[number], i: number): string => {
    const sql = fieldSql(f, side, source, loaded.file.format, DUCKDB, loaded.onlySpacesPad);
    return `(s.${ident(f.name)} IS NULL AND ${sql.text(sql.clean(`s.__raw[${i + 1}]`))} IS NULL)`;
  };
  const keyPositions = resolved.fields.flatMap((f, i) => (f.isKey ? [i] : []));
  // Under emptyKeyParts "match", a key part is "empty" only when every part is.
  const allKeyEmpty =
    resolved.definition.emptyKeyParts === 'match' && keyPositions.length > 1
      ? keyPositions.map((i) => emptyPart(resolved.fields[i]!, i)).join(' AND ')
      : undefined;
  const parts = resolved.fields.map((f, i) => {
    const sql = fieldSql(f, side, source, loaded.file.format, DUCKDB, loaded.onlySpacesPad);
    const column = side === 'a' ? f.aColumn : f.bColumn;
    const raw = `s.__raw[${i + 1}]`;
    const text = sql.text(sql.clean(raw));
    const typedFails = !untypedRejects(f, resolved) ? 'false' : `(${raw} IS NOT NULL AND ${text} IS NOT NULL AND s.${ident(f.name)} IS NULL)`;
    const keyEmpty = f.isKey ? (allKeyEmpty ?? emptyPart(f, i)) : 'false';
    // The value cast but its adjusted form does not fit the type: say so rather than "expected a number".
    const adjustFailed = sql.adjust ? `WHEN ${sql.typed(text)} IS NOT NULL THEN ${literal(sql.adjust.failure)}` : '';
    return `SELECT s.__rid AS rid, ${i} AS ord, ${literal(column)} AS column_name, ${raw} AS raw_value,
              CASE WHEN ${keyEmpty} THEN ${literal(`key field "${f.name}" is empty`)} ${adjustFailed} ${sql.reasons ? sql.reasons(text) : ''}
                   ELSE ${literal(`expected ${sql.expected}`)} END AS reason,
              CASE WHEN ${keyEmpty} THEN 'EMPTY_KEY' ELSE 'CAST' END AS error_type
         FROM ${table} s
        WHERE s.__bad AND ((${typedFails}) OR (${keyEmpty}))`;
  });
  let offset = 0;
  for (;;) {
    const rows = await queryRows<{ rid: string; column_name: string; raw_value: string | null; reason: string; error_type: string }>(
      conn,
      `SELECT rid, column_name, raw_value, reason, error_type FROM (${parts.join(' UNION ALL ')})
        ORDER BY rid, ord LIMIT ${REJECT_BATCH} OFFSET ${offset}`,
    );
    if (rows.length === 0) break;
    const lines = await loaded.locate([...new Set(rows.map((r) => Number(r.rid)))]);
    const out: RejectRow[] = rows.map((r) => ({
      side,
      file: loaded.file.path,
      line: lines.get(Number(r.rid)) ?? null,
      column: r.column_name,
      rawValue: r.raw_value,
      reason: r.raw_value === null ? r.reason : `${r.reason}, got "${visibleText(r.raw_value)}"`,
      errorType: r.error_type,
      rid: Number(r.rid),
    }));
    await appendRejects(conn, out);
    offset += rows.length;
    if (rows.length < REJECT_BATCH) break;
  }
}
