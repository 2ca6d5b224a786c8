// The same recon as `recon run` on `recon generate` output, written by hand in
// DuckDB SQL: read both files, normalize B's quirks, full outer join on the key,
// compare every field with its tolerance, and store the breaks in a DuckDB file.
// It is the yardstick for `npm run bench`: what a capable engineer would write
// for this one pair of files, with no rejects tracking, checks or audit.
import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';

const [aPath, bPath, dbPath] = process.argv.slice(2);
rmSync(dbPath, { force: true });
const db = await DuckDBInstance.create(dbPath, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const c = await db.connect();
const q = (s) => `'${s.replaceAll("'", "''")}'`;

await c.run(`
CREATE TABLE a AS SELECT * FROM read_csv(${q(aPath)}, header = true, delim = ',', quote = '"', columns = {
  'TradeID': 'VARCHAR', 'TradeDate': 'DATE', 'SettleDate': 'DATE', 'Side': 'VARCHAR', 'Counterparty': 'VARCHAR',
  'ISIN': 'VARCHAR', 'Quantity': 'BIGINT', 'Price': 'DECIMAL(18,4)', 'Notional': 'DECIMAL(18,2)', 'Currency': 'VARCHAR', 'Book': 'VARCHAR'});
CREATE TABLE b AS SELECT
  trim(trade_ref) AS TradeID,
  strptime(trim(trade_dt), '%d/%m/%Y')::DATE AS TradeDate,
  strptime(trim(settle_dt), '%d/%m/%Y')::DATE AS SettleDate,
  CASE trim(buy_sell) WHEN 'B' THEN 'BUY' WHEN 'S' THEN 'SELL' ELSE trim(buy_sell) END AS Side,
  trim(cpty) AS Counterparty, trim(isin) AS ISIN, CAST(trim(qty) AS BIGINT) AS Quantity,
  CAST(replace(trim(px), ',', '.') AS DECIMAL(18,4)) AS Price,
  CAST(replace(trim(net_amount), ',', '.') AS DECIMAL(18,2)) AS Notional,
  upper(trim(ccy)) AS Currency, trim(book) AS Book
FROM read_csv(${q(bPath)}, header = true, delim = ';', quote = '"', all_varchar = true);
CREATE TABLE breaks AS
WITH j AS (SELECT a.TradeID AS ka, b.TradeID AS kb, a.*, b.* EXCLUDE (TradeID) FROM a FULL OUTER JOIN b ON a.TradeID = b.TradeID)
SELECT coalesce(ka, kb) AS key, '*' AS field, CASE WHEN kb IS NULL THEN 'MISSING_IN_B' ELSE 'MISSING_IN_A' END AS diff_type,
       NULL AS value_a, NULL AS value_b FROM j WHERE ka IS NULL OR kb IS NULL
UNION ALL SELECT ka, 'TradeDate', 'MISMATCH', TradeDate::VARCHAR, TradeDate_1::VARCHAR FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND TradeDate IS DISTINCT FROM TradeDate_1
UNION ALL SELECT ka, 'SettleDate', 'MISMATCH', SettleDate::VARCHAR, SettleDate_1::VARCHAR FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND SettleDate IS DISTINCT FROM SettleDate_1
UNION ALL SELECT ka, 'Side', 'MISMATCH', Side, Side_1 FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND Side IS DISTINCT FROM Side_1
UNION ALL SELECT ka, 'Counterparty', 'MISMATCH', Counterparty, Counterparty_1 FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND Counterparty IS DISTINCT FROM Counterparty_1
UNION ALL SELECT ka, 'ISIN', 'MISMATCH', ISIN, ISIN_1 FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND ISIN IS DISTINCT FROM ISIN_1
UNION ALL SELECT ka, 'Quantity', 'MISMATCH', Quantity::VARCHAR, Quantity_1::VARCHAR FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND Quantity IS DISTINCT FROM Quantity_1
UNION ALL SELECT ka, 'Price', 'MISMATCH', Price::VARCHAR, Price_1::VARCHAR FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL
  AND Price IS DISTINCT FROM Price_1 AND NOT coalesce(abs(Price - Price_1) <= 0.00001, false)
UNION ALL SELECT ka, 'Notional', 'MISMATCH', Notional::VARCHAR, Notional_1::VARCHAR FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL
  AND Notional IS DISTINCT FROM Notional_1
  AND NOT coalesce(abs(Notional - Notional_1) <= 0.005 OR abs(Notional - Notional_1) <= 0.0001 * greatest(abs(Notional), abs(Notional_1)), false)
UNION ALL SELECT ka, 'Currency', 'MISMATCH', Currency, Currency_1 FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND Currency IS DISTINCT FROM Currency_1
UNION ALL SELECT ka, 'Book', 'MISMATCH', Book, Book_1 FROM j WHERE ka IS NOT NULL AND kb IS NOT NULL AND Book IS DISTINCT FROM Book_1;
`);
const r = await c.runAndReadAll('SELECT count(*) AS n FROM breaks');
process.stdout.write(`${JSON.stringify({ breaks: Number(r.getRowObjectsJson()[0].n) })}\n`);
c.closeSync();
db.closeSync();
