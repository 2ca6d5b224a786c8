import type { CallName, CallResult, ParsedArgs } from '../../contract/index.ts';
import type { RunDbCache } from '../breaks/run-db-cache.ts';
import type { definitionsStore } from '../definitions-store.ts';
import type { RunManager } from '../run-manager.ts';
import type { RunsSource } from '../runs-source.ts';

/** A handler gets validated arguments and returns the call's result (or throws a ReconError). */
export type Handler<K extends CallName> = (args: ParsedArgs<K>) => Promise<CallResult<K>>;

/** The handler table: exactly one handler per call of the contract. */
export type Handlers = { [K in CallName]: Handler<K> };

/** What handlers share: the workspace and its long-lived parts. */
export interface HostContext {
  workspace: string;
  host: 'electron' | 'browser' | 'test';
  version: string;
  runs: RunsSource;
  manager: RunManager;
  dbs: RunDbCache;
  definitions: ReturnType<typeof definitionsStore>;
}
