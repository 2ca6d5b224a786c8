// The yardstick of the matching benchmark (bench/matching-bench.ts): a 1:1
// matcher written by hand in DuckDB SQL, as a capable engineer would for one
// pair of cash files: equal currency, equal amount, value dates at most 3 days
// apart; of each row's candidates the closest in date, and a pair kept when
// each is the other's first choice. Matches go to a DuckDB file. It has no
// rejects, checks, ambiguity, groups, references or names.
//
//   node bench/reference-match.mjs <ledger.csv> <bank.csv> <out.duckdb> [memory limit]
//
// The files are `recon generate --kind cash` output: ledger (entry_id,
// value_date, currency, amount, …) and bank (line_id, value_date, currency,
// amount, …), comma-separated with a header, ISO dates, '.' decimals.
import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';

const [ledgerPath, bankPath, dbPath, memoryLimit] = process.argv.slice(2);
rmSync(dbPath, { force: true });
rmSync(`${dbPath}.wal`, { force: true });
const db = await DuckDBInstance.create(dbPath, {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  ...(memoryLimit ? { memory_limit: memoryLimit } : {}),
});
const c = await db.connect();
const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;
const read = (path, id) =>
  `SELECT ${id} AS id, CAST(value_date AS DATE) AS d, trim(currency) AS ccy, CAST(amount AS DECIMAL(18,2)) AS amt
     FROM read_csv(${lit(path)}, header = true, all_varchar = true)`;

await c.run(`CREATE TEMP TABLE l AS ${read(ledgerPath, 'entry_id')}`);
await c.run(`CREATE TEMP TABLE s AS ${read(bankPath, 'line_id')}`);
await c.run(`
  CREATE TABLE matches AS
  WITH cand AS (
    SELECT l.id AS a, s.id AS b, abs(date_diff('day', l.d, s.d)) AS gap
      FROM l JOIN s ON l.ccy = s.ccy AND l.amt = s.amt
     WHERE abs(date_diff('day', l.d, s.d)) <= 3),
  ranked AS (
    SELECT a, b, row_number() OVER (PARTITION BY a ORDER BY gap, b) AS ra,
                 row_number() OVER (PARTITION BY b ORDER BY gap, a) AS rb
      FROM cand)
  SELECT a, b FROM ranked WHERE ra = 1 AND rb = 1`);
const reader = await c.runAndReadAll('SELECT count(*) FROM matches');
process.stdout.write(`${JSON.stringify({ matches: Number(reader.getRows()[0][0]) })}\n`);
c.closeSync?.();
