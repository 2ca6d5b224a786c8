import type { CallName, CallResult, ContractEvent, FileChoice, ParsedArgs } from '../../contract/index.ts';
import type { RunFileCache } from '../../run-file/cache.ts';
import type { RunFile } from '../../run-file/run-file.ts';
import type { Store } from '../../store/store.ts';
import type { WorkspaceSync } from '../../sync/workspace-sync.ts';
import type { BreakSource } from '../../workflow/breaks.ts';
import type { Identity } from '../../workflow/identity.ts';
import type { RetrainJobs } from '../model/retrain-jobs.ts';
import type { RunManager } from '../run-manager.ts';
import type { RunsSource } from '../runs-source.ts';
import type { TaskRunner } from '../tasks/task-runner.ts';

/** A handler gets validated arguments and returns the call's result (or throws a ReconError). */
export type Handler<K extends CallName> = (args: ParsedArgs<K>) => Promise<CallResult<K>>;

/** The handler table: exactly one handler per call of the contract. */
export type Handlers = { [K in CallName]: Handler<K> };

/** What handlers share: the workspace, its store, the acting user and the long-lived parts. */
export interface HostContext {
  workspace: string;
  host: 'electron' | 'browser' | 'test';
  version: string;
  /** The workspace's workflow store, opened once per host process. */
  store: Store;
  /** Who acts through this host (the OS account or $RECON_USER). */
  user: Identity;
  runs: RunsSource;
  manager: RunManager;
  /** The run files open for reading (the grid's and the decisions' alike). */
  dbs: RunFileCache;
  /** The workflow's reader of a run's breaks, for decisions, on the open run files. */
  breakSource(runId: string): Promise<BreakSource>;
  retrain: RetrainJobs;
  /** The host's native file dialog, when it has one (the desktop app). */
  chooseFile?: (request: FileChoice) => Promise<string | null>;
  /** Inference and exports on worker threads (task.progress events). */
  tasks: TaskRunner;
  /** Team sync's background loop for this workspace (runs while a team connection is configured). */
  sync: WorkspaceSync;
  /** Pushes an event to every connected UI of this host. */
  emit: (event: ContractEvent) => void;
  /** A run's file, its decided statuses brought up to date with the store. */
  openRun(runId: string): Promise<RunFile>;
}
