/**
 * The files this workspace's own runs read, from the runs registry in the workflow store: the
 * desktop path policy lets them be read again without a dialog (policy/chosen-paths.ts), so "Run
 * again" can preview and run the files the person chose for the earlier run. Runs pulled from the
 * team server are left out (their inputs are another machine's, and sync records none).
 */
import { sql } from '../../engine/store/sql.ts';
import type { Store } from '../../engine/store/store.ts';

/** Every input path recorded for a run of this workspace (sides A and B, each once). */
export function recordedRunInputs(store: Store): string[] {
  const rows = store.read((tx) =>
    tx.all<{ path: unknown }>(
      sql`SELECT json_extract(inputs, '$.a.path') AS path FROM runs
           WHERE duckdb_path NOT LIKE 'remote:%' AND run_id NOT IN (SELECT run_id FROM sync_remote_runs)
          UNION
          SELECT json_extract(inputs, '$.b.path') AS path FROM runs
           WHERE duckdb_path NOT LIKE 'remote:%' AND run_id NOT IN (SELECT run_id FROM sync_remote_runs)`,
    ),
  );
  return rows.flatMap((r) => (typeof r.path === 'string' ? [r.path] : []));
}
