/**
 * The engine service: one handler per contract call, behind one entry that
 * validates the arguments against the contract's schema and turns every
 * failure into error data. The Electron main process and the browser host
 * (`recon serve`) both drive this same object; only the transport differs.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { contract, isCallName, type CallArgs, type CallName, type CallResult, type ContractEvent, type Reply } from '../contract/index.ts';
import { ReconError, toErrorData } from '../errors/recon-error.ts';
import { RunDbCache } from './breaks/run-db-cache.ts';
import { definitionsStore } from './definitions-store.ts';
import { appHandlers } from './handlers/app.ts';
import { breaksHandlers } from './handlers/breaks.ts';
import { definitionsHandlers } from './handlers/definitions.ts';
import { filesHandlers } from './handlers/files.ts';
import { runsHandlers } from './handlers/runs.ts';
import type { Handlers, HostContext } from './handlers/types.ts';
import { RunManager, type RunStarter } from './run-manager.ts';
import { fileRunsSource, type RunsSource } from './runs-source.ts';

export interface ServiceOptions {
  workspace: string;
  host: HostContext['host'];
  version: string;
  /** Pushes an event to every connected UI. */
  emit: (event: ContractEvent) => void;
  /** Where finished runs are listed from (default: the summary files). */
  runs?: RunsSource;
  /** How runs are started (default: a worker, unregistered; pass startRegisteredRun bound to the store and user). */
  startRun?: RunStarter;
  /** Called for calls slower than slowCallMs (default: a line on stderr). */
  onSlowCall?: (name: string, ms: number) => void;
  slowCallMs?: number;
}

export interface Service {
  /** The untrusted entry: any name, any payload; always answers a Reply. */
  call(name: unknown, args: unknown): Promise<Reply<unknown>>;
  /** Typed entry for Node callers (tests, benchmarks); throws ReconError on failure. */
  invoke<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>>;
  /** Closes a run's file, e.g. before another step writes to it. */
  releaseRun(runId: string): Promise<void>;
  close(): Promise<void>;
}

export function createService(opts: ServiceOptions): Service {
  const workspace = resolve(opts.workspace);
  const runs = opts.runs ?? fileRunsSource(workspace);
  const dbs = new RunDbCache((runId) => runs.databasePath(runId), workspace);
  const manager = new RunManager(workspace, opts.emit, opts.startRun);
  const ctx: HostContext = { workspace, host: opts.host, version: opts.version, runs, manager, dbs, definitions: definitionsStore(workspace) };
  const handlers = {
    ...appHandlers(ctx),
    ...runsHandlers(ctx),
    ...filesHandlers(ctx),
    ...definitionsHandlers(ctx),
    ...breaksHandlers(ctx),
  } satisfies Handlers;
  const slowMs = opts.slowCallMs ?? 1000;
  const onSlow = opts.onSlowCall ?? ((name, ms) => process.stderr.write(`[service] slow call ${name}: ${Math.round(ms)} ms\n`));

  async function dispatch(name: unknown, rawArgs: unknown): Promise<unknown> {
    if (!isCallName(name)) throw new ReconError('INVALID_ARGUMENT', `unknown call ${JSON.stringify(name)}`, { name });
    const parsed = contract[name].args.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      throw new ReconError('INVALID_ARGUMENT', `${name}: ${z.prettifyError(parsed.error)}`, {
        call: name,
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      });
    }
    const t0 = performance.now();
    try {
      // The table is indexed by the checked name, so handler and args agree.
      return await (handlers[name] as (a: unknown) => Promise<unknown>)(parsed.data);
    } finally {
      const ms = performance.now() - t0;
      if (ms > slowMs) onSlow(name, ms);
    }
  }

  return {
    async call(name, args) {
      try {
        return { ok: true, value: await dispatch(name, args) };
      } catch (err) {
        return { ok: false, error: toErrorData(err) };
      }
    },
    async invoke(name, args) {
      return (await dispatch(name, args)) as CallResult<typeof name>;
    },
    releaseRun: (runId) => dbs.evict(runId),
    async close() {
      manager.cancelAll();
      await dbs.closeAll();
    },
  };
}
