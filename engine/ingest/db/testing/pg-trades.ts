import pg from 'pg';
import type { TestPg } from '../../../sync/testing/pg-server.ts';
import { trades } from './trades.ts';

/**
 * The PostgreSQL side of the query-source tests: a password login `user` that
 * owns a database `recon_src` holding `trades`, filled with `trades(rows, side)`
 * in the database's own types (numeric(18,2), date, timestamptz…).
 */
export async function seedTradesDatabase(server: TestPg, opts: { user: string; password: string; rows: number; side: 'a' | 'b' }): Promise<void> {
  const su = await server.admin('superuser');
  try {
    await su.query(`CREATE ROLE ${opts.user} LOGIN PASSWORD '${opts.password}'`);
    await su.query(`CREATE DATABASE recon_src OWNER ${opts.user}`);
  } finally {
    await su.end();
  }
  const c = new pg.Client({ host: server.info.host, port: server.info.port, database: 'recon_src', user: opts.user, password: opts.password });
  await c.connect();
  try {
    await c.query('CREATE TABLE trades (id integer PRIMARY KEY, trade_date date NOT NULL, amount numeric(18,2), ccy char(3), booked timestamptz, note text)');
    const rows = trades(opts.rows, opts.side);
    const col = (i: number) => rows.map((r) => r[i]);
    await c.query('INSERT INTO trades SELECT * FROM unnest($1::int[], $2::date[], $3::numeric[], $4::text[], $5::timestamptz[], $6::text[])', [
      col(0),
      col(1),
      col(2),
      col(3),
      rows.map((r) => `${r[4]}+00`),
      col(5),
    ]);
  } finally {
    await c.end();
  }
}
