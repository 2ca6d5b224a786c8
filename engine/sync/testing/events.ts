/** Queues audit events fast for sync tests and benchmarks: many per write transaction. */
import { appendAuditEvent } from '../../store/audit-log.ts';
import type { Store } from '../../store/store.ts';

/** Appends `n` export.written events (no role needed), `perTx` per transaction; returns the last seq. */
export function queueEvents(store: Store, n: number, perTx = 1000, tag = 'bulk'): number {
  let last = 0;
  for (let done = 0; done < n; done += perTx) {
    store.write((tx) => {
      for (let i = done; i < Math.min(n, done + perTx); i++) {
        last = appendAuditEvent(tx, { actor: 'ada', action: 'export.written', target: `export:${tag}`, after: { kind: 'csv', path: `/exports/${tag}-${i}.csv`, rows: i } }).seq;
      }
    });
  }
  return last;
}
