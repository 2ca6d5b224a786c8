/**
 * Registers a run made outside a host (tests, scripts, the synthetic
 * benchmark run) in the workspace's runs registry as COMPLETED, with the same
 * audit events a host's run gets, so hosts list and open it.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openStore } from '../../store/open.ts';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';
import type { Identity } from '../../workflow/identity.ts';
import { recordRunCompleted, recordRunStarted } from '../../workflow/runs.ts';

/** The parts of a run summary the registry needs. */
export interface RegisterableSummary {
  runId: string;
  definition: string;
  inputs: { a: { path: string; sha256: string }; b: { path: string; sha256: string } };
}

export function registerCompletedRun(store: Store, workspace: string, summary: RegisterableSummary, actor: Identity = { userId: 'recon', displayName: 'recon' }): void {
  recordRunStarted(store, actor, {
    runId: summary.runId,
    definition: { name: summary.definition },
    duckdbPath: join(resolve(workspace), 'runs', `${summary.runId}.duckdb`),
    inputs: { a: { path: summary.inputs.a.path, sha256: summary.inputs.a.sha256 }, b: { path: summary.inputs.b.path, sha256: summary.inputs.b.sha256 } },
  });
  recordRunCompleted(store, actor, summary.runId, summary);
}

/** Registers a run file written outside a host, from its `runs/<run-id>.json` summary, unless it already is (opens and closes the store). */
export async function registerRunFromSummaryFile(workspace: string, runId: string): Promise<void> {
  const summary = JSON.parse(await readFile(join(workspace, 'runs', `${runId}.json`), 'utf8')) as RegisterableSummary;
  const store = openStore(workspace);
  try {
    if (store.read((tx) => tx.get(sql`SELECT 1 AS x FROM runs WHERE run_id = ${runId}`)) === undefined) registerCompletedRun(store, workspace, summary);
  } finally {
    store.close();
  }
}
