/**
 * Follows workflow changes other processes commit to the workspace store (a
 * second `recon serve`, a CLI `recon review`, the desktop app, a worker's own
 * connection), so open screens refresh as they do for this host's changes.
 *
 * SQLite's `PRAGMA data_version` changes only when another connection commits
 * (a cheap read, reliable with WAL), so it is polled on a short interval. When
 * it moved, the audit events written since (every workflow change writes one
 * in its transaction, team-sync pulls included) say what changed; each kind
 * becomes one `workflow.changed` event.
 */
import type { ContractEvent } from '../contract/index.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';

type WorkflowChanged = Extract<ContractEvent, { type: 'workflow.changed' }>;

/** How often the store is checked by default (ms). */
export const WORKFLOW_WATCH_INTERVAL_MS = 500;

/** The `workflow.changed` event an audit event stands for (action and target as the audit log writes them). */
export function changeOf(action: string, target: string): Pick<WorkflowChanged, 'what' | 'runId'> {
  const runId = target.startsWith('run:') ? target.slice('run:'.length) : null;
  const prefix = action.split('.')[0];
  switch (prefix) {
    case 'decision':
      return { what: 'decision', runId };
    case 'proposal':
      return { what: 'approval', runId: null };
    case 'user':
    case 'role':
      return { what: 'users', runId: null };
    case 'reason':
      return { what: 'reasons', runId: null };
    // rule.proposed, rule.approved, rule.retired…: reason rules (engine/rules/governance.ts).
    case 'rule':
      return { what: 'rules', runId: null };
    // A saved source connection (connection.*, by the CLI too) shows in Settings → Connections and the new-run cards.
    case 'setting':
    case 'connection':
      return { what: 'settings', runId: null };
    case 'model':
      return { what: 'model', runId: null };
    case 'run':
      return { what: 'runs', runId };
    default:
      return { what: 'audit', runId: null };
  }
}

export interface WorkflowWatch {
  /** Checks once now (the timer calls it; tests may too). */
  check(): void;
  stop(): void;
}

/** Starts polling `store`; `onChange` gets one event per kind of change another connection committed. */
export function watchWorkflow(store: Store, onChange: (event: WorkflowChanged) => void, intervalMs = WORKFLOW_WATCH_INTERVAL_MS): WorkflowWatch {
  const version = (): number => Number(store.db.pragma('data_version', { simple: true }));
  const lastRowid = (): number => store.read((tx) => tx.get<{ id: number | null }>(sql`SELECT max(rowid) AS id FROM audit_events`))?.id ?? 0;
  let seen = version();
  let after = lastRowid();
  let stopped = false;
  let failing = false;

  const check = (): void => {
    if (stopped || !store.db.open) return;
    try {
      // The newest event first, then the version: an event committed after this read has a higher rowid.
      const top = lastRowid();
      const now = version();
      if (now === seen) {
        // Only this connection wrote since: its own changes were announced by its handlers.
        after = top;
        failing = false;
        return;
      }
      seen = now;
      const rows = store.read((tx) => tx.all<{ id: number; action: string; target: string }>(sql`SELECT rowid AS id, action, target FROM audit_events WHERE rowid > ${after} ORDER BY rowid`));
      failing = false;
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      const events = new Map<string, WorkflowChanged>();
      for (const r of rows) {
        const c = changeOf(r.action, r.target);
        events.set(`${c.what}\n${c.runId ?? ''}`, { type: 'workflow.changed', ...c });
      }
      for (const e of events.values()) onChange(e);
    } catch (err) {
      // Busy or closing: the next tick tries again; say so once, not every half second.
      if (!failing) process.stderr.write(`[service] could not check the workspace store for other processes' changes: ${(err as Error).message}\n`);
      failing = true;
    }
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return {
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
