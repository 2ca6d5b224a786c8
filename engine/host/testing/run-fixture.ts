/** A real, small run for tests: generated extracts reconciled into a fresh temp workspace, registered in its store. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema, type Definition } from '../../definition/schema.ts';
import { generateExtracts, type GenerateResult } from '../../generate/generate-extracts.ts';
import { runRecon } from '../../run/run-recon.ts';
import type { RunSummary } from '../../contract/index.ts';
import { openStore, type Store } from '../../store/open.ts';
import type { ContractEvent } from '../../contract/index.ts';
import { createService, type Service } from '../service.ts';
import { registerCompletedRun } from './register-run.ts';

export interface RunFixture {
  dir: string;
  workspace: string;
  gen: GenerateResult;
  summary: RunSummary;
  /** The workspace's store, open (closed by dispose). */
  store: Store;
  dispose(): Promise<void>;
}

/** `tweak` changes the generated definition before the run (e.g. a higher attribution threshold, for UNKNOWN breaks). */
export async function createRunFixture(rows = 2000, seed = 7, tweak: (definition: Definition) => Definition = (d) => d): Promise<RunFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'recon-host-'));
  const gen = await generateExtracts({ rows, outDir: join(dir, 'data'), seed });
  const definition = tweak(definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8'))));
  const workspace = join(dir, 'workspace');
  const summary = await runRecon({ aPath: gen.aPath, bPath: gen.bPath, definition, workspace });
  const store = openStore(workspace);
  registerCompletedRun(store, workspace, summary);
  return {
    dir,
    workspace,
    gen,
    summary,
    store,
    async dispose() {
      store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The engine service on a fixture's workspace, acting as Ada; its events go to `emit`. */
export function serviceOn(fx: RunFixture, emit: (e: ContractEvent) => void = () => undefined): Service {
  return createService({ workspace: fx.workspace, host: 'test', version: '9.9.9', store: fx.store, user: { userId: 'ada', displayName: 'Ada' }, emit });
}
