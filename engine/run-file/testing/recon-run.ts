/** A real, small run for tests: generated extracts reconciled into a fresh temp workspace (no workflow store). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema } from '../../definition/schema.ts';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { runRecon, type RunSummary } from '../../run/run-recon.ts';

export interface ReconRun {
  workspace: string;
  summary: RunSummary;
  dispose(): Promise<void>;
}

export async function createReconRun(rows = 2000, seed = 7): Promise<ReconRun> {
  const dir = await mkdtemp(join(tmpdir(), 'recon-run-file-'));
  const gen = await generateExtracts({ rows, outDir: join(dir, 'data'), seed });
  const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  const workspace = join(dir, 'workspace');
  const summary = await runRecon({ aPath: gen.aPath, bPath: gen.bPath, definition, workspace });
  return { workspace, summary, dispose: () => rm(dir, { recursive: true, force: true }) };
}
