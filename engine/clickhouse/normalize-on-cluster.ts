import type { ResolvedDefinition } from '../definition/resolve.ts';
import type { SourceFormat, SourceOptions } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import { comparedFields } from '../diff/sql.ts';
import { fieldSql, trimSql, untypedRejects } from '../normalize/sql.ts';
import { checkColumns } from './cluster-sql.ts';
import { chCaseFoldDiffers, unsupportedDirective } from '../sql/clickhouse-casts.ts';
import { CLICKHOUSE } from '../sql/dialect.ts';

/**
 * What of a definition's normalization the cluster cannot spell exactly as the
 * local engine does (ClickHouse 18.16, sql/clickhouse-casts.ts). `--cluster-normalize`
 * refuses such a definition before any work, naming the field, rather
 * than let the two engines read a value differently:
 *  - a date or timestamp format with a directive other than %Y %m %d %H %M %S %f %%
 *    (month names, %y's century rule, %j, %p, zones);
 *  - numbers of a source whose numbers may be written in exponent form (Parquet,
 *    JSON, database queries): DuckDB's reading of "1.5e-3" is not spelled for 18.16.
 * Two differences depend on values, not on the definition; a cluster run counts them
 * and refuses the run the same way: a case-folded text holding a character the
 * engines fold differently (CASE_FOLD_DIFFERS), and a whole number of 39 digits,
 * which DuckDB's HUGEINT holds and the cluster's Decimal(38, 0) cannot.
 */
export function clusterNormalizationRefusal(
  resolved: ResolvedDefinition,
  sources: { a: SourceOptions; b: SourceOptions },
  formats: { a: SourceFormat | 'query' | 'http' | undefined; b: SourceFormat | 'query' | 'http' | undefined },
): string | undefined {
  for (const side of ['a', 'b'] as const) {
    const format = formats[side] ?? sources[side].format;
    const exponent = format === 'parquet' || format === 'json' || format === 'ndjson' || format === 'query' || format === 'http';
    for (const f of resolved.fields) {
      if (exponent && (f.type === 'integer' || f.type === 'decimal')) {
        return `field "${f.name}": ${side.toUpperCase()} is ${format === 'query' ? 'a database query' : `a ${format} source`}, whose numbers may be written with an exponent, which the cluster does not read as the local engine does`;
      }
      const dateFormats = side === 'a' ? f.dateFormatA : f.dateFormatB;
      if ((f.type === 'date' || f.type === 'timestamp') && dateFormats) {
        for (const df of dateFormats) {
          const bad = unsupportedDirective(df);
          if (bad) return `field "${f.name}": the ${f.type} format "${df}" of ${side.toUpperCase()} uses ${bad}, which ClickHouse 18.16 cannot read as the local engine does`;
        }
      }
    }
  }
  return undefined;
}

/** `clusterNormalizationRefusal` as the INVALID_ARGUMENT a cluster run fails with. */
export function assertClusterCanNormalize(...args: Parameters<typeof clusterNormalizationRefusal>): void {
  const why = clusterNormalizationRefusal(...args);
  if (why) throw new ReconError('INVALID_ARGUMENT', `--cluster-normalize: ${why}: leave out --cluster-normalize (the workstation normalizes), or run it locally`);
}

/**
 * The SQL that normalizes a side on the cluster (M2 of issue 19): the raw text
 * of every record the definition reads is in a per-node table `<prefix>_raw_<side>`
 * (rid, r0 … rn, Nullable(String), positional: no user column is named in
 * ClickHouse); each node stages its own raw rows with the same layers as
 * normalize/stage.ts, in the ClickHouse dialect:
 *   clean (__s) → text (__t) → cast (__v) → adjust (__f) → __bad,
 * and inserts the rows that are not bad into the side's Distributed table, which
 * sends each to the shard of cityHash64(__key). Its rejects are read back in the
 * shape of the local `rejects` (per failing cell: rid, field, raw text, reason).
 *
 * The key sent to the cluster is an exact encoding of the key's typed values (the
 * text, a decimal's digits, a day number), equal exactly when DuckDB's key texts are
 * equal; the workstation spells keys itself (the pairs come back with their rids).
 */
export interface ClusterStageSql {
  /** Per node: stage its raw rows into the side's Distributed table. */
  insert: string;
  /** Per node: the failing cells of its bad rows: rid, ord (field position), raw, kind ('E' empty key, 'A' adjust, 'X' expected, or the reason itself). */
  rejects: string;
  /** Per node: values the engines would read differently (case folding), to be 0. */
  refused: string;
}

export function clusterStageSql(
  resolved: ResolvedDefinition,
  side: 'a' | 'b',
  source: SourceOptions,
  format: SourceFormat | 'query' | 'http' | undefined,
  tables: { raw: string; dist: string },
): ClusterStageSql {
  const fields = resolved.fields.map((f, i) => ({ f, i, sql: fieldSql(f, side, source, format, CLICKHOUSE) }));
  const compared = comparedFields(resolved).map((f) => fields.find((x) => x.f === f)!);
  const keyIdx = resolved.keyFields.map((k) => fields.find((x) => x.f === k)!.i);
  const matchEmptyParts = resolved.definition.emptyKeyParts === 'match' && keyIdx.length > 1;
  const layers = (cols: string): string => {
    const l1 = `SELECT *, ${fields.map(({ i, sql }) => `${sql.clean(`r${i}`)} AS __s${i}`).join(', ')} FROM ${tables.raw}`;
    const l2 = `SELECT *, ${fields.map(({ i, sql }) => `${sql.text(`__s${i}`)} AS __t${i}`).join(', ')} FROM (${l1})`;
    const l3 = `SELECT *, ${fields.map(({ i, sql }) => `${sql.typed(`__t${i}`)} AS __v${i}`).join(', ')} FROM (${l2})`;
    const l4 = `SELECT *, ${fields.map(({ i, sql }) => `${sql.adjust ? sql.adjust.sql(`__v${i}`) : `__v${i}`} AS __f${i}`).join(', ')} FROM (${l3})`;
    const badParts = [
      ...fields.filter(({ f }) => untypedRejects(f, resolved)).map(({ i }) => `(isNotNull(__t${i}) AND isNull(__f${i}))`),
      ...(matchEmptyParts ? [`(${keyIdx.map((i) => `isNull(__f${i})`).join(' AND ')})`] : keyIdx.map((i) => `isNull(__f${i})`)),
    ];
    return `SELECT ${cols} FROM (SELECT *, ifNull(${badParts.join(' OR ')}, 0) AS __bad FROM (${l4}))`;
  };
  // A key part's exact text: Decimal128's toString is wrong beyond 2^64 on 18.16, so
  // numbers are keys only below that (`refused` counts the others).
  const enc = (i: number): string => (fields[i]!.f.type === 'string' ? `__f${i}` : `toString(__f${i})`);
  const escape = (x: string): string => `replaceAll(replaceAll(${x}, '\\\\', '\\\\\\\\'), '|', '\\\\|')`;
  const key =
    keyIdx.length === 1
      ? `assumeNotNull(${enc(keyIdx[0]!)})`
      : `concat(${keyIdx.map((i) => escape(matchEmptyParts ? `ifNull(${enc(i)}, '')` : `assumeNotNull(${enc(i)})`)).join(`, '|', `)})`;
  // What the integrity checks read (cluster-sql.ts checkColumns): the key as the file spells it, trimmed as the
  // staging's __key_text is, and the currency's normalized value.
  const keyText = keyIdx.map((i) => `ifNull(${trimSql(`r${i}`, CLICKHOUSE)}, '')`);
  const ccy = resolved.currencyField ? fields.find((x) => x.f === resolved.currencyField)! : undefined;
  const checks = [keyText.length === 1 ? keyText[0]! : `concat(${keyText.join(`, '|', `)})`, ...(ccy ? [`__f${ccy.i}`] : [])];
  const insert = `INSERT INTO ${tables.dist} (__key, rid_${side}, ${[...compared.map((_, j) => `${side}${j}`), ...checkColumns(resolved).map((c) => c.name)].join(', ')})
    ${layers(`${key} AS __key, rid, ${[...compared.map(({ i }) => `__f${i}`), ...checks].join(', ')}`)} WHERE NOT __bad`;

  const emptyPart = (i: number): string => `(isNull(__f${i}) AND isNull(__t${i}))`;
  const allKeyEmpty = matchEmptyParts ? keyIdx.map(emptyPart).join(' AND ') : undefined;
  // One pass of the layers over the bad rows, each failing cell an element of an arrayJoin: a UNION ALL of one
  // SELECT per field ran the whole normalization once per field (~17 s a side at 1M rows and 10 fields).
  const cells = fields.map(({ f, i, sql }) => {
    const typedFails = f.type === 'string' ? '0' : `(isNotNull(r${i}) AND isNotNull(__t${i}) AND isNull(__f${i}))`;
    const keyEmpty = f.isKey ? (allKeyEmpty ?? emptyPart(i)) : '0';
    const adjustFailed = sql.adjust ? `WHEN isNotNull(__v${i}) THEN 'A'` : '';
    const kind = `CASE WHEN ${keyEmpty} THEN 'E' ${adjustFailed} ${sql.reasons ? sql.reasons(`__t${i}`) : ''} ELSE 'X' END`;
    return `tuple(toUInt32(${i}), r${i}, ${kind}, toUInt8(ifNull((${typedFails}) OR (${keyEmpty}), 0)))`;
  });
  const rejects = `SELECT rid, tupleElement(cell, 1) AS ord, tupleElement(cell, 2) AS raw, tupleElement(cell, 3) AS kind
    FROM (${layers('*')} WHERE __bad) ARRAY JOIN [${cells.join(', ')}] AS cell WHERE tupleElement(cell, 4) = 1 FORMAT CSV`;

  const folded = fields.filter(({ f }) => f.type === 'string' && f.case !== 'none');
  const bigKeys = keyIdx.filter((i) => fields[i]!.f.type === 'integer' || fields[i]!.f.type === 'decimal');
  const refusedWhen = [
    ...folded.map(({ i }) => chCaseFoldDiffers(`__s${i}`)),
    ...bigKeys.map((i) => `abs(toFloat64(__f${i})) * ${10 ** fields[i]!.f.scale} >= 9e18`),
  ];
  // ifNull: over no rows, countIf of a Nullable condition is NULL on 18.16, not 0.
  const refused = `SELECT countIf(ifNull(${refusedWhen.length === 0 ? '0' : refusedWhen.join(' OR ')}, 0)) FROM (${layers('*')}) FORMAT TSV`;
  return { insert, rejects, refused };
}
