// The yardstick for inference: what any inference must at least do, written by
// hand in DuckDB SQL. A seeded reservoir sample of 20,000 rows of each file
// (both at once, on two connections, as `recon definition infer` samples),
// every column read as text, with the sniffer finding the dialect.
import { DuckDBInstance } from '@duckdb/node-api';

const [aPath, bPath] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const sample = async (path) => {
  const c = await db.connect();
  const r = await c.runAndReadAll(`SELECT count(*) AS n FROM (SELECT * FROM read_csv(${q(path)}, all_varchar = true) USING SAMPLE reservoir(20000 ROWS) REPEATABLE (42))`);
  return Number(r.getRowObjects()[0].n);
};
const [a, b] = await Promise.all([sample(aPath), sample(bPath)]);
process.stdout.write(`${JSON.stringify({ a, b })}\n`);
