import { join, resolve } from 'node:path';
import { toErrorData } from '../errors/recon-error.ts';
import { sha256File } from '../ingest/source-file.ts';
import type { ProgressSink } from '../run/progress.ts';
import { newRunId } from '../run/run-id.ts';
import type { InputFingerprints, RunRequest } from '../run/run-recon.ts';
import type { Store } from '../store/store.ts';
import type { Identity } from '../workflow/identity.ts';
import { recordRunCompleted, recordRunFailed, recordRunStarted, previousRunInRegistry } from '../workflow/runs.ts';
import { decisionsInForce, type CarriedDecision } from '../workflow/carry.ts';
import { startJob, type JobChannel, type JobHandle } from '../worker/client.ts';
import { reasonRulesInForce } from '../rules/governance.ts';

/**
 * A matching run carries the manual matches in force on the previous run of its series
 * (host/match-carry.ts). The run itself is complete and recorded: a failure here is told
 * on stderr, the matches stay for a person to redo, and the run's result stands.
 */
async function carryMatches(store: Store, actor: Identity, runId: string, previousRunId: string, runFilePath: string): Promise<void> {
  try {
    // Loaded here, not at the top: it opens the run file with DuckDB, which the host
    // need not load before the run's worker starts (`recon run` starts sooner).
    const { carryManualMatches } = await import('./match-carry.ts');
    await carryManualMatches(store, actor, { runId, previousRunId, runFilePath });
  } catch (err) {
    process.stderr.write(`recon: run ${runId}: manual matches of run ${previousRunId} were not carried: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

/** A run job with the id it was registered under. */
export type RegisteredRun = JobHandle<'run'> & { runId: string };

/**
 * Starts a run on a worker thread (`worker`, if the caller started one early
 * with startWorker('run')) and keeps the workflow store's runs registry (and its
 * audit trail) in step: RUNNING as soon as the inputs are fingerprinted, then
 * COMPLETED with the summary or FAILED with the error. Every host (CLI,
 * Electron, browser) starts runs through here.
 */
export function startRegisteredRun(store: Store, actor: Identity, request: RunRequest, onProgress?: ProgressSink, worker?: JobChannel): RegisteredRun {
  const runId = request.runId ?? newRunId();
  // Break memory: the series' previous run by the registry (unless the caller
  // named one, or none), and the decisions in force on its breaks, so the run
  // can say which carry; they are recorded with the run's completion.
  const previousRunId =
    request.previousRunId !== undefined ? request.previousRunId : (store.read((tx) => previousRunInRegistry(tx, request.definition.name))?.runId ?? null);
  const previousDecisions = previousRunId === null ? [] : store.read((tx) => decisionsInForce(tx, previousRunId));
  // The team's reason rules in force for the definition (engine/rules), unless the caller chose them.
  const reasonRules = request.reasonRules ?? store.read((tx) => reasonRulesInForce(tx, request.definition.name));
  let carry: { fromRunId: string; carried: CarriedDecision[] } | undefined;
  let fingerprinted: (inputs: InputFingerprints | undefined) => void = () => undefined;
  const fingerprints = new Promise<InputFingerprints | undefined>((resolvePromise) => (fingerprinted = resolvePromise));
  const handle = startJob(
    'run',
    { ...request, runId, previousRunId, previousDecisions, reasonRules },
    {
      onProgress: (u) => {
        if (u.type === 'stage') onProgress?.(u.event);
        else if (u.type === 'fingerprints') fingerprinted(u.inputs);
        else carry = { fromRunId: u.fromRunId, carried: u.carried };
      },
      worker,
    },
  );
  // Settled without hashes (the run failed first): the promise still ends. A later call is a no-op.
  handle.result.then(
    () => fingerprinted(undefined),
    () => fingerprinted(undefined),
  );
  // The worker hashes the inputs while DuckDB stages them (each file is read
  // once for it, a few hundred ms a side at 1M rows). A run that fails before
  // then gets them hashed here; an unreadable file fails the run itself with a
  // clear error, so its hash is just left empty.
  const sha = (path: string): Promise<string> => sha256File(path).catch(() => '');
  const started = fingerprints.then(async (inputs) => inputs ?? { a: await sha(request.aPath), b: await sha(request.bPath) }).then(({ a, b }) =>
    recordRunStarted(store, actor, {
      runId,
      definition: request.definition,
      ...(request.definitionVersion !== undefined ? { definitionVersion: request.definitionVersion } : {}),
      duckdbPath: join(resolve(request.workspace), 'runs', `${runId}.duckdb`),
      inputs: { a: { path: request.aPath, sha256: a }, b: { path: request.bPath, sha256: b } },
    }),
  );
  // Observed at once: if registering the start fails (a busy store), the run's own outcome must not go unhandled.
  handle.result.catch(() => undefined);
  const result = (async () => {
    try {
      await started;
    } catch (err) {
      // The registry could not record the start: stop the worker, and say why the run failed.
      handle.cancel();
      throw err;
    }
    try {
      const summary = await handle.result;
      recordRunCompleted(store, actor, runId, summary, carry);
      if (previousRunId !== null && request.definition.matching) await carryMatches(store, actor, runId, previousRunId, summary.database);
      return summary;
    } catch (err) {
      recordRunFailed(store, actor, runId, toErrorData(err));
      throw err;
    }
  })();
  return { ...handle, runId, result };
}
