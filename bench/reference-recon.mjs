// The same recon as `recon run`, written by hand in DuckDB SQL: read both
// files in their dialect, trim/cast/normalize the fields the data needs,
// full outer join on the key, compare every field with its tolerance, and
// store the breaks in a DuckDB file. It is the yardstick for `npm run bench`:
// what a capable engineer would write for one pair of files, with no rejects
// tracking, checks or audit.
//
//   node bench/reference-recon.mjs <reference.json> <out.duckdb> [memory limit]
//
// reference.json (written per dialect by bench/dialects.ts):
//   { key: 'TradeID',
//     a|b: { path, delimiter, quote, columns: [names in file order], trim,
//            dateFormat: strptime format or null (ISO), decimalSeparator },
//     fields: [{ name, a, b, type: string|integer|decimal|date, scale?,
//                mapB?: {from: to}, upperB?, tolerance?: { abs?, rel?, days? } }] }
//
// A side that needs no trimming is read typed by read_csv (dateformat and
// decimal_separator do the dialect); one that does is read as text, then
// trimmed and cast. B's value map and upper-casing apply to B only.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, rmSync } from 'node:fs';

const [specPath, dbPath, memoryLimit] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
rmSync(dbPath, { force: true });
rmSync(`${dbPath}.wal`, { force: true });
const db = await DuckDBInstance.create(dbPath, {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  ...(memoryLimit ? { memory_limit: memoryLimit } : {}),
});
const c = await db.connect();
const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;
const id = (s) => `"${String(s).replaceAll('"', '""')}"`;
const sqlType = (f) => ({ string: 'VARCHAR', integer: 'BIGINT', decimal: `DECIMAL(18,${f.scale ?? 6})`, date: 'DATE' })[f.type];

/** SELECT of one side: `k` (the key) and `f0..fn` (the fields, typed and normalized). */
function sideSql(side) {
  const s = spec[side];
  const fields = spec.fields.map((f, i) => ({ ...f, col: f[side], out: `f${i}` }));
  const keyCol = spec.fields.find((f) => f.name === spec.key)[side];
  const byCol = new Map(fields.map((f) => [f.col, f]));
  const text = (f) => (s.trim ? `trim(${id(f.col)})` : id(f.col));
  const normalize = (f, v) => {
    if (side !== 'b' || f.type !== 'string') return v;
    let out = v;
    if (f.mapB) out = `CASE ${out} ${Object.entries(f.mapB).map(([k, to]) => `WHEN ${lit(k)} THEN ${lit(to)}`).join(' ')} ELSE ${out} END`;
    if (f.upperB) out = `upper(${out})`;
    return out;
  };
  let columns;
  let select;
  const opts = [`header = true`, `delim = ${lit(s.delimiter)}`, `quote = ${lit(s.quote)}`, `auto_detect = false`];
  if (!s.trim) {
    columns = s.columns.map((col) => `${lit(col)}: ${lit(byCol.has(col) ? sqlType(byCol.get(col)) : 'VARCHAR')}`);
    if (s.dateFormat) opts.push(`dateformat = ${lit(s.dateFormat)}`);
    if (s.decimalSeparator !== '.') opts.push(`decimal_separator = ${lit(s.decimalSeparator)}`);
    select = fields.map((f) => `${normalize(f, id(f.col))} AS ${f.out}`);
  } else {
    columns = s.columns.map((col) => `${lit(col)}: 'VARCHAR'`);
    select = fields.map((f) => {
      const t = text(f);
      switch (f.type) {
        case 'date':
          return `${s.dateFormat ? `strptime(${t}, ${lit(s.dateFormat)})::DATE` : `CAST(${t} AS DATE)`} AS ${f.out}`;
        case 'decimal':
          return `CAST(${s.decimalSeparator === '.' ? t : `replace(${t}, ${lit(s.decimalSeparator)}, '.')`} AS ${sqlType(f)}) AS ${f.out}`;
        case 'integer':
          return `CAST(${t} AS BIGINT) AS ${f.out}`;
        default:
          return `${normalize(f, t)} AS ${f.out}`;
      }
    });
  }
  const key = s.trim ? `trim(${id(keyCol)})` : id(keyCol);
  return `SELECT ${key} AS k, ${select.join(', ')} FROM read_csv(${lit(s.path)}, ${opts.join(', ')}, columns = {${columns.join(', ')}})`;
}

/** The condition under which field i is a break between x (A) and y (B). */
function differs(f, x, y) {
  const t = f.tolerance ?? {};
  if (f.type === 'date' && t.days) return `${x} IS DISTINCT FROM ${y} AND NOT coalesce(abs(date_diff('day', ${x}, ${y})) <= ${t.days}, false)`;
  if ((f.type === 'decimal' || f.type === 'integer') && (t.abs || t.rel)) {
    const within = [];
    if (t.abs) within.push(`abs(${x} - ${y}) <= ${t.abs}`);
    if (t.rel) within.push(`abs(${x} - ${y}) <= ${t.rel} * greatest(abs(${x}), abs(${y}))`);
    return `${x} IS DISTINCT FROM ${y} AND NOT coalesce(${within.join(' OR ')}, false)`;
  }
  return `${x} IS DISTINCT FROM ${y}`;
}

const compared = spec.fields.map((f, i) => ({ f, i })).filter(({ f }) => f.name !== spec.key);
await c.run(`CREATE TABLE a AS ${sideSql('a')}`);
await c.run(`CREATE TABLE b AS ${sideSql('b')}`);
await c.run(`
CREATE TABLE breaks AS
WITH j AS (
  SELECT a.k AS ka, b.k AS kb, ${spec.fields.map((_, i) => `a.f${i} AS a${i}, b.f${i} AS b${i}`).join(', ')}
  FROM a FULL OUTER JOIN b ON a.k = b.k)
SELECT coalesce(ka, kb) AS key, '*' AS field, CASE WHEN kb IS NULL THEN 'MISSING_IN_B' ELSE 'MISSING_IN_A' END AS diff_type,
       NULL::VARCHAR AS value_a, NULL::VARCHAR AS value_b
  FROM j WHERE ka IS NULL OR kb IS NULL
${compared
  .map(
    ({ f, i }) =>
      `UNION ALL SELECT ka, ${lit(f.name)}, 'MISMATCH', a${i}::VARCHAR, b${i}::VARCHAR FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND ${differs(f, `a${i}`, `b${i}`)}`,
  )
  .join('\n')}`);
const r = await c.runAndReadAll('SELECT count(*) AS n FROM breaks');
process.stdout.write(`${JSON.stringify({ breaks: Number(r.getRowObjectsJson()[0].n) })}\n`);
c.closeSync();
db.closeSync();
