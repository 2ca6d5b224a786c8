import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourceFormat, SourceOptions } from '../definition/schema.ts';
import { queryOne, type ProgressListener } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { UncomputedRow } from './convert/xlsx-to-csv.ts';
import type { PreparedQuery } from './db/load-query.ts';
import type { PreparedHttp } from './http/http-source.ts';
import type { DelimitedDialect } from './record-scanner.ts';
import type { SourceFileInfo } from './source-file.ts';
import { DUCKDB } from '../sql/dialect.ts';

/**
 * What the format loaders (load-delimited.ts, load-xlsx.ts, load-typed.ts)
 * share: the shapes of a prepared and a loaded source, and a few helpers.
 * load-source.ts picks the loader by format.
 */

export type Side = 'a' | 'b';

/**
 * A source ready to stage: `rawRelation` is SQL for a relation of VARCHAR
 * columns exactly as the file spells its values, in file order. The staging
 * statement keeps that order (preserve_insertion_order), so a staged row's
 * position is the record's 0-based position among loaded records. Delimited text is read by
 * DuckDB straight into the staged table (no intermediate copy); other formats
 * go through a TEMP table first. Typing happens in normalize/.
 */
export interface LoadedSource {
  side: Side;
  /** `sha256` is empty until `fingerprintSource` ran. */
  file: SourceFileInfo;
  rawRelation: string;
  /**
   * SQL for the first records of the raw relation (at most SAMPLE_RECORDS), read without
   * side effects: nothing is recorded as rejected and bad records are skipped. Staging
   * looks at it to choose how each text column is stored (normalize/stage.ts).
   */
  sampleRelation: string;
  /** Data columns of the raw relation, in file order. */
  columns: string[];
  /** Records in the file, counted independently of the loader. */
  sourceRecords: number;
  /** Records rejected while parsing (structure), in `rejects` once `afterRead` ran. */
  structuralRejects: number;
  /**
   * Those records' fields as far as they could be split, once `afterRead` ran, so that
   * their keys can be recovered (ingest/reject-keys.ts). Absent for formats without such rejects.
   */
  rejectedRecords?: RejectedRecord[];
  blankRows: number;
  /**
   * True when the loader proved that whitespace around any value can only be spaces
   * (ingest/record-scanner.ts `onlySpacesPad`): staging and the key check then trim with
   * DuckDB's plain trim() (normalize/sql.ts `trimSql`). Absent: any whitespace.
   */
  onlySpacesPad?: boolean;
  /** "line" for text files, "row" for sheets, Parquet and JSON arrays. */
  lineLabel: 'line' | 'row';
  /** After the staging statement read `rawRelation`: collect what the reader rejected. */
  afterRead(): Promise<void>;
  /** Turns a failure of the statement reading `rawRelation` into a clear input error. */
  explainReadError(err: unknown): Promise<ReconError>;
  /**
   * SQL returning one row `{ expected }`: the order-independent key hash, from an
   * independent read of the source. `everyColumn` makes that read parse every
   * column, not only the key's, so it rejects what the staging read rejected.
   */
  keyHashSql(keyText: string, opts?: { everyColumn?: boolean; portable?: boolean | undefined }): string;
  /** Maps 0-based positions among loaded records (`__rid`) to the line/row a person finds the record at. */
  locate(rowids: readonly number[]): Promise<Map<number, number>>;
  /**
   * Where every loaded record is, compactly: `[rid, offset, rid, offset, …]`, the
   * points where `line - rid` changes (it never decreases: loaded records keep file
   * order), for the first `rows` records. See ingest/line-map.ts.
   */
  lineOffsets(rows: number): Promise<number[]>;
  warnings: string[];
}

/**
 * A record the reader rejected whole, at its line (or sheet row): `fields` are the values
 * of its first columns, in the order of `LoadedSource.columns`, up to the first one that
 * cannot be trusted (the one the reader complained of, or one its bad bytes garbled).
 */
export interface RejectedRecord {
  line: number;
  fields: readonly (string | null)[];
}

export interface LoadContext {
  conn: DuckDBConnection;
  /** Scratch folder for converted files (XLSX, other encodings); the caller removes it. */
  scratchDir: string;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/**
 * A source file checked, converted if needed (XLSX, other encodings) and with
 * its columns known, but not loaded yet: enough to bind the definition and
 * fail fast before any heavy work.
 */
export interface PreparedSource {
  side: Side;
  originalPath: string;
  bytes: number;
  format: SourceFormat | 'query' | 'http';
  options: SourceOptions;
  /** A query source: its open session and described columns (ingest/db/load-query.ts). */
  query?: PreparedQuery;
  /** An HTTP source: its request, headers and first page (ingest/http/http-source.ts). */
  http?: PreparedHttp;
  /** Frees what preparing holds (a query source's session) when the run ends before loading it. */
  release?: () => void;
  /** The file DuckDB reads (a UTF-8 scratch copy for XLSX and other encodings). */
  readPath: string;
  columns: string[];
  warnings: string[];
  dialect: DelimitedDialect | undefined;
  xlsx: { rowsWritten: number; blankRows: number; sheetName: string; uncomputed?: UncomputedRow[] } | undefined;
  /** A JSON/NDJSON file: the record members read, as the file names them, one per column (a column may be renamed to keep names unique). */
  jsonMembers?: string[];
}

/** What every format's prepare step starts from. */
export interface PrepareBase {
  side: Side;
  originalPath: string;
  bytes: number;
  format: SourceFormat;
  options: SourceOptions;
}

/**
 * Column names a person can refer to: blanks named, duplicates suffixed (case-insensitively, as
 * DuckDB's identifiers are) with the first number no other column has taken. Every reader of a
 * header or of names it does not choose uses this, so a sheet's or a record's columns are named
 * as a CSV's are. `reserved`: names the reader gives a column of its own (the converted sheet's
 * `__line`); a header cell so named is renamed off it.
 */
export function uniqueColumnNames(names: readonly string[], reserved: readonly string[] = []): { names: string[]; warnings: string[] } {
  const own = new Set(reserved.map((r) => r.toLowerCase()));
  const taken = new Set(own);
  const occurrences = new Map<string, number>();
  const warnings: string[] = [];
  const out = names.map((raw, i) => {
    const name = raw.trim() === '' ? `column${i + 1}` : raw.trim();
    if (raw.trim() === '') warnings.push(`header cell ${i + 1} is blank; named it "${name}"`);
    const lower = name.toLowerCase();
    const n = (occurrences.get(lower) ?? 0) + 1;
    occurrences.set(lower, n);
    if (!taken.has(lower)) {
      taken.add(lower);
      return name;
    }
    // A suffix another column already has (a header holding both "a" and "a_2") is skipped.
    let k = Math.max(n, 2);
    while (taken.has(`${lower}_${k}`)) k++;
    const renamed = `${name}_${k}`;
    taken.add(renamed.toLowerCase());
    warnings.push(
      n === 1 && own.has(lower)
        ? `header "${name}" is the name of a column the reader adds; column ${i + 1} renamed "${renamed}"`
        : `header "${name}" appears more than once; column ${i + 1} renamed "${renamed}"`,
    );
    return renamed;
  });
  return { names: out, warnings };
}

/**
 * Order-independent sum of 64-bit hashes, as text (it exceeds 2^53). `portable`: the MD5-based sum a
 * ClickHouse cluster computes the same way (sql/dialect.ts keyHashSum), for a cluster run's check; a
 * local run keeps DuckDB's hash(), ~7x cheaper (0.03 s against 0.2 s a million keys, read twice a side).
 */
export function hashSum(expr: string, portable = false): string {
  return portable ? DUCKDB.keyHashSum(expr) : `CAST(coalesce(sum(hash(${expr})::HUGEINT), 0) % 18446744073709551616 AS VARCHAR)`;
}

/** How many of a source's first records `sampleRelation` holds. */
export const SAMPLE_RECORDS = 10_000;

/** `sampleRelation` of a source read into a table first: its first rows in file order. */
export function tableSample(raw: string): string {
  return `(SELECT * FROM ${raw} ORDER BY rowid LIMIT ${SAMPLE_RECORDS})`;
}

/** The parts of a LoadedSource that are the same for every materialized (TEMP table) source. */
export function materialized(side: Side, raw: string): Pick<LoadedSource, 'rawRelation' | 'sampleRelation' | 'afterRead' | 'explainReadError' | 'keyHashSql'> {
  return {
    rawRelation: `(SELECT * FROM ${raw} ORDER BY rowid)`,
    sampleRelation: tableSample(raw),
    async afterRead() {},
    async explainReadError(err) {
      return err instanceof ReconError ? err : new ReconError('INTERNAL_ERROR', firstLine((err as Error).message), { side });
    },
    keyHashSql(keyText, opts) {
      return `SELECT ${hashSum(keyText, opts?.portable)} AS expected FROM ${raw}`;
    },
  };
}

/** The raw table's first rowid, as text (it may exceed 2^53). See LoadedSource.rowidBase. */
export async function firstRowid(conn: DuckDBConnection, table: string): Promise<string> {
  const { base } = await queryOne<{ base: string }>(conn, `SELECT CAST(coalesce(min(rowid), 0) AS VARCHAR) AS base FROM ${table}`);
  if (!/^\d+$/.test(base)) throw new Error(`unexpected rowid ${base} in ${table}`);
  return base;
}

export function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
