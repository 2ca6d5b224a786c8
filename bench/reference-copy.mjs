// The yardstick for exports: DuckDB's own COPY of a run's breaks table to a
// CSV file, with the columns the detailed exports write from it. Nothing a
// reviewer needs beyond that (no decisions, no formula guard, no number formats).
import { DuckDBInstance } from '@duckdb/node-api';

const [dbPath, outPath] = process.argv.slice(2);
const db = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const c = await db.connect();
const q = (s) => `'${s.replaceAll("'", "''")}'`;
await c.run(`COPY (SELECT * FROM breaks ORDER BY break_id) TO ${q(outPath)} (HEADER, DELIMITER ',')`);
