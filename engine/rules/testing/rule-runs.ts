/**
 * Real runs for reason-rule tests: generated extracts reconciled into a temp
 * workspace (real DuckDB run files), each run registered in the workspace's
 * real SQLite store, with the rules a test hands in applied by the run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema, type Definition } from '../../definition/schema.ts';
import { openDuckDB, queryRows } from '../../duckdb/open.ts';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { runRecon, type RunSummary } from '../../run/run-recon.ts';
import { openStore } from '../../store/open.ts';
import type { Store } from '../../store/store.ts';
import { ADA, seedUsers } from '../../workflow/testing/fixtures.ts';
import { recordRunCompleted, recordRunStarted } from '../../workflow/runs.ts';
import type { RunReasonRule } from '../apply-run.ts';
import { conditionsSha256 } from '../governance.ts';
import { parseReasonRule } from '../schema.ts';

export interface RuleWorkspace {
  dir: string;
  workspace: string;
  store: Store;
  definition: Definition;
  /** Runs the generated extracts (the same each time: a later run's breaks are CARRIED) and registers the run. */
  run(rules?: readonly RunReasonRule[], runId?: string): Promise<RunSummary>;
  dispose(): Promise<void>;
}

let counter = 0;

/** A workspace with a seeded store (ada admin, alice analyst, bob approver, carol both) and generated extracts. */
export async function ruleWorkspace(rows = 2000, seed = 7): Promise<RuleWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'recon-rules-'));
  const gen = await generateExtracts({ rows, outDir: join(dir, 'data'), seed });
  const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  const workspace = join(dir, 'ws');
  const store = openStore(workspace);
  seedUsers(store);
  return {
    dir,
    workspace,
    store,
    definition,
    async run(rules = [], runId = `rules-run-${++counter}`) {
      const summary = await runRecon({ aPath: gen.aPath, bPath: gen.bPath, definition, workspace, runId, reasonRules: rules });
      const inputs = { a: { path: gen.aPath, sha256: 'a'.repeat(64) }, b: { path: gen.bPath, sha256: 'b'.repeat(64) } };
      recordRunStarted(store, ADA, { runId, definition: { ...definition }, duckdbPath: summary.database, inputs });
      recordRunCompleted(store, ADA, runId, summary);
      return summary;
    },
    async dispose() {
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A rule as a run applies it, from a draft (id and version made up: no store). */
export function runRule(id: string, draft: unknown, version = 1): RunReasonRule {
  const b = parseReasonRule(draft, { owner: 'test' });
  return { ruleId: id, version, name: b.name, reason: b.reason, definition: b.definition, order: b.order, conditions: b.conditions, conditionsSha256: conditionsSha256(b) };
}

/** Rows of a run file (read-only). */
export async function readRun<T>(database: string, query: string): Promise<T[]> {
  const db = await openDuckDB({ path: database, readOnly: true });
  try {
    return await queryRows<T>(db.connection, query);
  } finally {
    db.close();
  }
}
