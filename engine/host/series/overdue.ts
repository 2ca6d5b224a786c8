/**
 * The overdue breaks of each run of a series, as the run overview counts them
 * (runs.ageing: a break's age in days past the SLA of its reason now, a
 * decision's over the model's). That needs the run's file, so it is counted
 * once per run and kept: a finished run file never changes, and the count
 * moves only with the run's decided statuses or the reason codes' SLAs. Both
 * are audited, so while the store's audit heads stand still nothing is read;
 * when they move, each run's key (a digest of its break_status rows and of the
 * SLAs) says which runs to count again. Files are borrowed from the host's
 * cache, so a walk over a long series never evicts the grid's open handles.
 */
import { createHash } from 'node:crypto';
import { ReconError } from '../../errors/recon-error.ts';
import type { RunFileCache } from '../../run-file/cache.ts';
import { readAgeing } from '../../run-file/grid/ageing.ts';
import { syncOverlay, workflowStamp } from '../../run-file/grid/status-overlay.ts';
import { jsonList, sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';
import { readReasonSlas } from '../../workflow/reason-codes.ts';

const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

export class OverdueCounts {
  readonly #store: Store;
  readonly #dbs: RunFileCache;
  /** Per run: the key its count was made under, and the count (null: a file without break memory). */
  readonly #counts = new Map<string, { key: string; overdue: Promise<number | null> }>();
  /** The audit heads the keys below were read at; the keys of runs read since. */
  #stamp = '';
  readonly #keys = new Map<string, string>();

  constructor(store: Store, dbs: RunFileCache) {
    this.#store = store;
    this.#dbs = dbs;
  }

  /** The overdue breaks of each run (their files must be here); null for a run whose file has no break memory or is gone. */
  async of(runIds: readonly string[]): Promise<Map<string, number | null>> {
    const keys = this.#keysOf(runIds);
    const out = new Map<string, number | null>();
    // One file at a time: each open is a DuckDB instance, and the host has other work.
    for (const runId of runIds) {
      const key = keys.get(runId)!;
      let entry = this.#counts.get(runId);
      if (entry === undefined || entry.key !== key) {
        const overdue = this.#count(runId);
        entry = { key, overdue };
        this.#counts.set(runId, entry);
        overdue.catch(() => {
          if (this.#counts.get(runId)?.overdue === overdue) this.#counts.delete(runId);
        });
      }
      out.set(runId, await entry.overdue);
    }
    return out;
  }

  /** Each run's key now: read from the store only for runs not keyed since the audit heads last moved. */
  #keysOf(runIds: readonly string[]): Map<string, string> {
    const stamp = workflowStamp(this.#store);
    if (stamp !== this.#stamp) {
      this.#keys.clear();
      this.#stamp = stamp;
    }
    const missing = runIds.filter((id) => !this.#keys.has(id));
    if (missing.length > 0) {
      const { rows, slas } = this.#store.read((tx) => ({
        rows: tx.all<{ run_id: string; break_id: number; status: string; reason: string | null }>(
          sql`SELECT run_id, break_id, status, reason FROM break_status
               WHERE run_id IN (SELECT value FROM json_each(${jsonList(missing)})) ORDER BY run_id, break_id`,
        ),
        slas: readReasonSlas(tx),
      }));
      const slaKey = digest(slas);
      const byRun = new Map<string, unknown[]>();
      for (const r of rows) {
        const list = byRun.get(r.run_id) ?? [];
        list.push([r.break_id, r.status, r.reason]);
        byRun.set(r.run_id, list);
      }
      for (const id of missing) this.#keys.set(id, `${digest(byRun.get(id) ?? [])}:${slaKey}`);
    }
    return new Map(runIds.map((id) => [id, this.#keys.get(id)!]));
  }

  async #count(runId: string): Promise<number | null> {
    try {
      return await this.#dbs.borrow(runId, async (db) => {
        if (!db.hasMemory) return null;
        await syncOverlay(db, this.#store);
        return (await readAgeing(db)).overdue;
      });
    } catch (err) {
      // Deleted since the registry was read: nothing to count.
      if (err instanceof ReconError && err.code === 'RUN_NOT_FOUND') return null;
      throw err;
    }
  }
}
