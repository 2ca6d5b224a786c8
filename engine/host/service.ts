/**
 * The engine service: one handler per contract call, behind one entry that
 * validates the arguments against the contract's schema and turns every
 * failure into error data. The Electron main process and the browser host
 * (`recon serve`) both drive this same object; only the transport differs.
 * Each host process opens the workspace's workflow store once and passes it
 * here with the acting user.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { contract, isCallName, type FileChoice, type CallArgs, type CallName, type CallResult, type ContractEvent, type ParsedArgs, type Reply } from '../contract/index.ts';
import { quoted } from '../errors/quote.ts';
import { ReconError, toErrorData } from '../errors/recon-error.ts';
import { cachedBreakSource } from '../run-file/break-source.ts';
import { RunFileCache } from '../run-file/cache.ts';
import { syncOverlay } from '../run-file/grid/status-overlay.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { WorkspaceSync, type WorkspaceSyncTuning } from '../sync/workspace-sync.ts';
import { importDefinitionFiles } from '../workflow/definitions.ts';
import type { Identity } from '../workflow/identity.ts';
import { sweepAbandoned } from './abandoned-runs.ts';
import { appHandlers } from './handlers/app.ts';
import { approvalsHandlers } from './handlers/approvals.ts';
import { auditHandlers } from './handlers/audit.ts';
import { breaksHandlers } from './handlers/breaks.ts';
import { definitionsHandlers } from './handlers/definitions.ts';
import { exportsHandlers } from './handlers/exports.ts';
import { filesHandlers } from './handlers/files.ts';
import { inferHandlers } from './handlers/infer.ts';
import { matchingActionsHandlers } from './handlers/matching-actions.ts';
import { matchingViewHandlers } from './handlers/matching-view.ts';
import { memoryHandlers } from './handlers/memory.ts';
import { modelHandlers } from './handlers/model.ts';
import { reasonsHandlers } from './handlers/reasons.ts';
import { reviewHandlers } from './handlers/review.ts';
import { rulesHandlers } from './handlers/rules.ts';
import { runsHandlers } from './handlers/runs.ts';
import { seriesHandlers } from './handlers/series.ts';
import { settingsHandlers } from './handlers/settings.ts';
import { syncHandlers } from './handlers/sync.ts';
import { inboxHandlers } from './handlers/inbox.ts';
import { connectionsHandlers } from './handlers/connections.ts';
import { usersHandlers } from './handlers/users.ts';
import type { Handlers, HostContext } from './handlers/types.ts';
import { RetrainJobs } from './model/retrain-jobs.ts';
import { startRegisteredRun } from './registered-run.ts';
import { RunManager, type RunStarter } from './run-manager.ts';
import { registryRunsSource, type RunsSource } from './runs-source.ts';
import { TaskRunner } from './tasks/task-runner.ts';
import { watchWorkflow, WORKFLOW_WATCH_INTERVAL_MS } from './workflow-watch.ts';

/** What a call does with a file path its caller names: reads the file, or writes it. */
export type PathUse = 'read' | 'write';

/**
 * Whether the UI may have the engine read or write this path (absolute,
 * resolved). The desktop app passes one: only paths the person chose in its
 * native dialogs this session, and the app's own folders. Without one (the
 * browser host, the CLI's service, tests) any path is taken: `recon serve` has
 * no dialogs and is a local dev/test host behind a token (docs/DESKTOP-SECURITY.md).
 */
export type PathPolicy = (absolutePath: string, use: PathUse) => boolean;

/**
 * Every argument of a call that names a file on the engine machine, and what
 * the call does with it. Not here: files.choose's defaultPath (where a dialog
 * starts, nothing is opened) and sync.configure's caFile (an admin's team
 * setting, read by the TLS client, never shown back).
 */
export const PATH_ARGS = {
  'files.preview': { path: 'read' },
  'definitions.infer': { aPath: 'read', bPath: 'read' },
  'runs.start': { aPath: 'read', bPath: 'read' },
  'definitions.import': { path: 'read' },
  'definitions.export': { path: 'write' },
  'runs.export': { path: 'write' },
  'audit.export': { path: 'write' },
} as const satisfies { [K in CallName]?: { [A in keyof ParsedArgs<K>]?: PathUse } };

export interface ServiceOptions {
  workspace: string;
  host: HostContext['host'];
  version: string;
  /** The workspace's workflow store (openStore), opened once by the host; the service does not close it. */
  store: Store;
  /** Who acts through this host: currentUser(). */
  user: Identity;
  /** Pushes an event to every connected UI. */
  emit: (event: ContractEvent) => void;
  /** Where runs are listed from (default: the store's runs registry). */
  runs?: RunsSource;
  /** How runs are started (default: startRegisteredRun with the store and user). */
  startRun?: RunStarter;
  /** Retrain on a small synthetic baseline (tests, demos): seconds instead of minutes. */
  quickRetrain?: boolean;
  /** The host's native file dialog (the desktop app); without it files.choose says to type the path. */
  chooseFile?: (request: FileChoice) => Promise<string | null>;
  /** Which paths the UI may name (the desktop app); without one, any path. Checked before the handler runs. */
  pathPolicy?: PathPolicy;
  /** Called for calls slower than slowCallMs (default: a line on stderr). */
  onSlowCall?: (name: string, ms: number) => void;
  slowCallMs?: number;
  /** Team sync's loop (it runs while the workspace has a team connection): timings and keychain, for tests. */
  sync?: WorkspaceSyncTuning;
  /** How often to look for workflow changes other processes committed to the store (default 500 ms). */
  watchIntervalMs?: number;
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
  const { store, user } = opts;
  // Events are sent from worker callbacks, timers and sync's loop, where a throw would be uncaught:
  // a transport that fails to deliver one (a closed window, a reply that cannot be encoded) is logged, never thrown.
  const deliver = (event: ContractEvent): void => {
    try {
      opts.emit(event);
    } catch (err) {
      process.stderr.write(`[service] could not deliver event ${event.type}: ${(err as Error).message}\n`);
    }
  };
  // Team sync runs beside the handlers: its status goes to every UI, and a
  // pull that changed the workflow refreshes open screens like a local change.
  const sync = new WorkspaceSync({
    ...opts.sync,
    store,
    onStatus: (status) => deliver({ type: 'sync.status', status }),
    onPulled: (r) => {
      if (r.pull.runs + r.pull.decisions + r.pull.statuses > 0) deliver({ type: 'workflow.changed', runId: null, what: 'decision' });
      if (r.pull.approvals + r.pull.matchActions > 0) deliver({ type: 'workflow.changed', runId: null, what: 'approval' });
      if (r.pull.roleChanges > 0) deliver({ type: 'workflow.changed', runId: null, what: 'users' });
      // Reason rules other workstations proposed, approved or retired (rules and approvals screens).
      if (r.rules.proposals + r.rules.verdicts + r.rules.versions > 0) deliver({ type: 'workflow.changed', runId: null, what: 'rules' });
    },
  });
  // A local change (a decision, a finished run…) grows the sync queue: the badge shows it, and it is pushed soon.
  const emit = (event: ContractEvent): void => {
    deliver(event);
    if (event.type === 'workflow.changed' || event.type === 'run.finished') {
      sync.publish();
      sync.nudge();
    }
  };
  const runs = opts.runs ?? registryRunsSource(store, workspace);
  const dbs = new RunFileCache((runId) => runs.databasePath(runId), workspace);
  const startRun: RunStarter = opts.startRun ?? ((request, onProgress) => startRegisteredRun(store, user, request, onProgress));
  const ctx: HostContext = {
    workspace,
    host: opts.host,
    version: opts.version,
    store,
    user,
    runs,
    manager: new RunManager(workspace, emit, startRun),
    dbs,
    breakSource: (runId) => cachedBreakSource(dbs, runId),
    retrain: new RetrainJobs({ workspace, store, user, emit, quick: opts.quickRetrain ?? false }),
    tasks: new TaskRunner(emit),
    ...(opts.chooseFile ? { chooseFile: opts.chooseFile } : {}),
    sync,
    emit,
    async openRun(runId) {
      const db = await dbs.get(runId);
      await syncOverlay(db, store);
      return db;
    },
  };
  // The definition files the new-run screen saved before definitions lived in the store: imported once, audited.
  try {
    const imported = importDefinitionFiles(store, user);
    if (imported.length > 0) process.stderr.write(`[service] imported ${imported.length} definition file(s) into the workspace store: ${imported.join(', ')}\n`);
  } catch (err) {
    process.stderr.write(`[service] could not import the workspace's definition files: ${(err as Error).message}\n`);
  }
  // Runs a crashed host left RUNNING would stay RUNNING forever: mark them FAILED now.
  try {
    const swept = sweepAbandoned(store, user, workspace);
    if (swept.length > 0) process.stderr.write(`[service] marked ${swept.length} abandoned run(s) FAILED: ${swept.join(', ')}\n`);
  } catch (err) {
    process.stderr.write(`[service] could not check for abandoned runs: ${(err as Error).message}\n`);
  }
  const handlers = {
    ...appHandlers(ctx),
    ...runsHandlers(ctx),
    ...filesHandlers(ctx),
    ...definitionsHandlers(ctx),
    ...breaksHandlers(ctx),
    ...matchingViewHandlers(ctx),
    ...matchingActionsHandlers(ctx),
    ...memoryHandlers(ctx),
    ...seriesHandlers(ctx),
    ...reviewHandlers(ctx),
    ...approvalsHandlers(ctx),
    ...auditHandlers(ctx),
    ...usersHandlers(ctx),
    ...reasonsHandlers(ctx),
    ...rulesHandlers(ctx),
    ...modelHandlers(ctx),
    ...settingsHandlers(ctx),
    ...syncHandlers(ctx),
    ...inboxHandlers(ctx),
    ...connectionsHandlers(ctx),
    ...inferHandlers(ctx),
    ...exportsHandlers(ctx),
  } satisfies Handlers;
  // With a team connection configured, sync starts in the background now (a no-op otherwise).
  sync.start();
  // Another process on the workspace (a second host, the CLI) commits to the same store: open screens follow its
  // changes too. Delivered, not emitted: that process publishes its own changes to team sync.
  const watch = watchWorkflow(store, deliver, opts.watchIntervalMs ?? WORKFLOW_WATCH_INTERVAL_MS);
  const slowMs = opts.slowCallMs ?? 1000;
  const onSlow = opts.onSlowCall ?? ((name, ms) => process.stderr.write(`[service] slow call ${name}: ${Math.round(ms)} ms\n`));

  /** This device's last audit sequence number: one indexed row, cheap enough to read around every call. */
  const auditSeq = (): number => store.read((tx) => tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${store.deviceId}`))?.seq ?? 0;

  async function dispatch(name: unknown, rawArgs: unknown): Promise<unknown> {
    if (!isCallName(name)) throw new ReconError('INVALID_ARGUMENT', `unknown call ${JSON.stringify(name)}`, { name });
    const parsed = contract[name].args.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      throw new ReconError('INVALID_ARGUMENT', `${name}: ${z.prettifyError(parsed.error)}`, {
        call: name,
        issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      });
    }
    if (opts.pathPolicy) checkPaths(name, parsed.data as Record<string, unknown>, opts.pathPolicy);
    const t0 = performance.now();
    const seqBefore = auditSeq();
    try {
      // The table is indexed by the checked name, so handler and args agree.
      return await (handlers[name] as (a: unknown) => Promise<unknown>)(parsed.data);
    } finally {
      const ms = performance.now() - t0;
      if (ms > slowMs) onSlow(name, ms);
      // Any call that wrote audit events (an export, a setting, a run started…) grew the sync queue.
      if (auditSeq() !== seqBefore) {
        sync.publish();
        sync.nudge();
      }
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
      watch.stop();
      await ctx.sync.close();
      ctx.manager.cancelAll();
      await ctx.retrain.close();
      await ctx.tasks.closeAll();
      await dbs.closeAll();
    },
  };
}

/**
 * Refuses, before any handler touches the disk (an export would create a missing
 * folder), a path argument the host's policy does not allow. INVALID_ARGUMENT
 * with `reason: 'PATH_NOT_CHOSEN'` in its details, so the UI can say to use Browse….
 */
function checkPaths(name: CallName, args: Record<string, unknown>, allows: PathPolicy): void {
  const paths: Partial<Record<string, PathUse>> = name in PATH_ARGS ? PATH_ARGS[name as keyof typeof PATH_ARGS] : {};
  for (const [arg, use] of Object.entries(paths)) {
    const value = args[arg];
    if (typeof value !== 'string' || use === undefined) continue;
    const path = resolve(value);
    if (allows(path, use)) continue;
    const how = use === 'read' ? 'choose it with Browse… (Open)' : 'choose where to save it with Browse… (Save)';
    throw new ReconError('INVALID_ARGUMENT', `${name}: ${quoted(path)} was not chosen in this session's file dialog; ${how}`, {
      call: name,
      arg,
      path,
      use,
      reason: 'PATH_NOT_CHOSEN',
    });
  }
}
