/**
 * Break evidence for checkers on other machines: key, field, value A, value B,
 * delta, reason and confidence of each break under review, read from the
 * run's DuckDB file (which never leaves this machine) and inserted on the
 * server with ON CONFLICT DO NOTHING (evidence never changes). Sent once per
 * run for its REVIEW breaks, then for the breaks of each new decision.
 */
import type pg from 'pg';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { baseStatusOf, suggestionOf, type Break } from '../run-file/break.ts';
import type { BreakSource } from '../workflow/breaks.ts';
import { withClient } from './connection.ts';
import { sqlState } from './errors.ts';
import { getState, setState } from './local-state.ts';

/** Opens a run's breaks (default: the run's DuckDB file, loaded only when needed). */
export type EvidenceOpener = (duckdbPath: string) => Promise<BreakSource>;

const defaultOpener: EvidenceOpener = async (path) => (await import('../run-file/break-source.ts')).openBreakSource(path);

const PAGE = 1000;

/** Pushes evidence not yet on the server; returns the number of breaks sent. */
export async function pushEvidence(store: Store, pool: pg.Pool, open: EvidenceOpener = defaultOpener): Promise<number> {
  let sent = 0;
  const runs = store.read((tx) =>
    tx.all<{ run_id: string; duckdb_path: string }>(sql`SELECT r.run_id, r.duckdb_path FROM runs r
      WHERE r.status = 'COMPLETED' AND r.run_id NOT IN (SELECT run_id FROM sync_remote_runs) AND r.run_id NOT IN (SELECT run_id FROM sync_evidence_runs)
      ORDER BY r.started_at`),
  );
  for (const run of runs) {
    const source = await openOrNull(open, run.duckdb_path);
    let n = 0;
    if (source) {
      try {
        let after = 0;
        for (;;) {
          const page = await source.page({ baseStatus: 'REVIEW' }, after, PAGE);
          if (page.length === 0) break;
          const r = await insert(pool, run.run_id, page);
          if (r === 'RUN_NOT_ON_SERVER') return sent; // next cycle
          if (r === 'REFUSED') {
            n = -1;
            break;
          }
          n += page.length;
          after = page.at(-1)!.breakId;
        }
      } finally {
        source.close();
      }
    }
    // A missing run file, or a run whose evidence the server refuses from this login, is recorded with -1: its evidence cannot be sent from here.
    store.write((tx) => tx.run(sql`INSERT INTO sync_evidence_runs (run_id, breaks, pushed_at) VALUES (${run.run_id}, ${source ? n : -1}, ${tx.now}) ON CONFLICT DO NOTHING`));
    sent += Math.max(n, 0);
  }
  return sent + (await pushDecisionEvidence(store, pool, open));
}

// Breaks of this device's decisions made since the last push (an override of an AUTO break is not in the REVIEW set).
async function pushDecisionEvidence(store: Store, pool: pg.Pool, open: EvidenceOpener): Promise<number> {
  const from = store.read((tx) => getState<number>(tx, 'evidence.decisionRowid')) ?? 0;
  const rows = store.read((tx) =>
    tx.all<{ rowid: number; run_id: string; duckdb_path: string; break_id: number }>(sql`SELECT d.rowid, d.run_id, r.duckdb_path, db.break_id
      FROM decisions d JOIN decision_breaks db ON db.decision_id = d.decision_id JOIN runs r ON r.run_id = d.run_id
      WHERE d.rowid > ${from} AND d.device_id = ${store.deviceId} AND d.run_id NOT IN (SELECT run_id FROM sync_remote_runs)
      ORDER BY d.rowid LIMIT 20000`),
  );
  if (rows.length === 0) return 0;
  let sent = 0;
  for (const [runId, list] of groupBy(rows, (r) => r.run_id)) {
    const source = await openOrNull(open, list[0]!.duckdb_path);
    if (!source) continue;
    try {
      const ids = [...new Set(list.map((r) => r.break_id))];
      for (let i = 0; i < ids.length; i += PAGE) {
        const found = await source.get(ids.slice(i, i + PAGE));
        const r = await insert(pool, runId, [...found.values()]);
        if (r === 'RUN_NOT_ON_SERVER') return sent;
        if (r === 'REFUSED') break; // another login's run (server migration 013): nothing of it can go from here
        sent += found.size;
      }
    } finally {
      source.close();
    }
  }
  store.write((tx) => setState(tx, 'evidence.decisionRowid', rows.at(-1)!.rowid));
  return sent;
}

async function openOrNull(open: EvidenceOpener, path: string): Promise<BreakSource | null> {
  try {
    return await open(path);
  } catch {
    return null; // the file was moved or deleted; the decisions still sync
  }
}

/**
 * RUN_NOT_ON_SERVER: the server does not know the run yet (its events are
 * still in the outbox). REFUSED: the run's device pushes over another login
 * (RC004, server migration 013), e.g. a workspace copied to another person's
 * machine: its evidence can only come from the run's own login.
 */
async function insert(pool: pg.Pool, runId: string, breaks: readonly Break[]): Promise<'SENT' | 'RUN_NOT_ON_SERVER' | 'REFUSED'> {
  if (breaks.length === 0) return 'SENT';
  try {
    await withClient(pool, (c) =>
      c.query(
        `INSERT INTO recon.review_breaks (run_id, break_id, key, field, diff_type, value_a, value_b, delta, base_status, reason, confidence)
         SELECT $1, t.id, t.key, t.field, t.diff_type, t.a, t.b,
                CASE WHEN t.delta ~ '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$' THEN t.delta::numeric END,
                t.base, t.reason, t.confidence::numeric
           FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
                AS t(id, key, field, diff_type, a, b, delta, base, reason, confidence)
         ON CONFLICT (run_id, break_id) DO NOTHING`,
        [
          runId,
          breaks.map((b) => b.breakId),
          breaks.map((b) => b.key),
          breaks.map((b) => b.field),
          breaks.map((b) => b.diffType),
          breaks.map((b) => b.valueA),
          breaks.map((b) => b.valueB),
          breaks.map((b) => b.delta),
          breaks.map(baseStatusOf),
          breaks.map(suggestionOf),
          breaks.map((b) => (b.confidence === null ? null : String(b.confidence))),
        ],
      ),
    );
    return 'SENT';
  } catch (err) {
    if (sqlState(err) === '23503') return 'RUN_NOT_ON_SERVER';
    if (sqlState(err) === 'RC004') return 'REFUSED';
    throw err;
  }
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}
