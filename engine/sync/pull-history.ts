/**
 * Older history on demand (`recon sync pull --history [--since DATE]`): for
 * every chain held from an anchor (chain-anchors.ts), the events from `since`
 * (or seq 1) up to the anchor come down, each checked link by link from the
 * server's hash of the event before them (or the genesis hash), and the last
 * must be exactly the anchor: seq and hash. Pages wait in
 * chain_history_stage and enter the trail in one transaction only then, so a
 * server copy of the older part that does not link into what this workstation
 * already verified is refused whole, and nothing of it is kept.
 */
import type pg from 'pg';
import { GENESIS_HASH, type AuditEvent } from '../store/audit-log.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { firstSeqSince, readAnchors, serverHash, type ChainAnchor } from './chain-anchors.ts';
import { checkLink, isProblem, type ChainCursor } from './chain-check.ts';
import { withClient } from './connection.ts';
import { SyncError } from './errors.ts';
import { PulledSignatures } from './event-signatures.ts';
import { readWindow, setWindow } from './pull-scope.ts';
import { pullScopedState } from './pull-scoped-state.ts';
import type { PullStateResult } from './pull-state.ts';

/** What a history pull did per device. */
export interface HistoryResult {
  events: number;
  devices: { deviceId: string; fromSeq: number; toSeq: number; complete: boolean }[];
}

/** Fetches each anchored chain's older part from `since` (null: from seq 1). */
export async function pullHistoryEvents(store: Store, client: pg.ClientBase, since: string | null, pageSize = 5000): Promise<HistoryResult> {
  const result: HistoryResult = { events: 0, devices: [] };
  for (const anchor of store.read((tx) => readAnchors(tx))) {
    const from = since === null ? 1 : await firstSeqSince(client, anchor.deviceId, since, anchor.anchorSeq);
    if (from > anchor.anchorSeq) continue; // the window already covers `since` for this device
    const start: ChainCursor = from === 1 ? { seq: 0, hash: GENESIS_HASH } : { seq: from - 1, hash: await serverHash(client, anchor.deviceId, from - 1) };
    store.write((tx) => tx.run(sql`DELETE FROM chain_history_stage WHERE device_id = ${anchor.deviceId}`));
    try {
      const last = await stagePages(store, client, anchor, start, pageSize);
      if (last.seq !== anchor.anchorSeq || last.hash !== anchor.anchorHash) {
        throw new SyncError(
          'SYNC_REMOTE_CHAIN_BROKEN',
          `the team server's copy of device ${anchor.deviceId} before seq ${anchor.anchorSeq + 1} does not link into the anchor this workstation verified (seq ${anchor.anchorSeq}, hash ${anchor.anchorHash.slice(0, 16)}…): ` +
            `it ends at seq ${last.seq} with hash ${last.hash.slice(0, 16)}…; it was rewritten after this workstation pulled. Nothing of it was kept (recon audit verify --remote)`,
          { details: { deviceId: anchor.deviceId, problem: 'PREV_HASH_MISMATCH', anchorSeq: anchor.anchorSeq } },
        );
      }
      const moved = commitStage(store, anchor, start, since);
      result.events += moved;
      result.devices.push({ deviceId: anchor.deviceId, fromSeq: from, toSeq: anchor.anchorSeq, complete: from === 1 });
    } finally {
      store.write((tx) => tx.run(sql`DELETE FROM chain_history_stage WHERE device_id = ${anchor.deviceId}`));
    }
  }
  return result;
}

// Pages from start + 1 to the anchor, each link checked; returns where the walk ended.
async function stagePages(store: Store, client: pg.ClientBase, anchor: ChainAnchor, start: ChainCursor, pageSize: number): Promise<ChainCursor> {
  let at = start;
  // Signed events (event-signatures.ts) are checked as the ordinary pull checks them, and keep their signature.
  const signatures = await PulledSignatures.load(store, client, anchor.deviceId);
  while (at.seq < anchor.anchorSeq) {
    const page = await client.query<{ event: string; signature: string | null }>(
      `SELECT event::text AS event, encode(signature, 'base64') AS signature FROM recon.audit_events WHERE device_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
      [
      anchor.deviceId,
      at.seq,
      anchor.anchorSeq,
        pageSize,
      ],
    );
    if (page.rows.length === 0) break;
    const rows: { seq: number; text: string; signature: string | null }[] = [];
    for (const row of page.rows) {
      const r = checkLink(row.event, anchor.deviceId, at);
      if (isProblem(r)) {
        throw new SyncError('SYNC_REMOTE_CHAIN_BROKEN', `the team server's copy of device ${anchor.deviceId} is broken [${r.problem}]: ${r.message}; none of its older history was kept`, {
          details: { deviceId: anchor.deviceId, problem: r.problem },
        });
      }
      signatures.check(r.event, row.signature);
      rows.push({ seq: r.event.seq, text: row.event, signature: signatures.of(r.event.seq) });
      at = { seq: r.event.seq, hash: r.event.hash };
    }
    store.write((tx) => {
      for (const r of rows) tx.run(sql`INSERT INTO chain_history_stage (device_id, seq, event, signature) VALUES (${anchor.deviceId}, ${r.seq}, ${r.text}, ${r.signature})`);
    });
  }
  return at;
}

// One transaction: the staged events into the trail, the anchor moved back (or gone at seq 1).
function commitStage(store: Store, anchor: ChainAnchor, start: ChainCursor, since: string | null): number {
  return store.write((tx) => {
    const now = tx.get<{ anchor_seq: number; anchor_hash: string }>(sql`SELECT anchor_seq, anchor_hash FROM chain_anchors WHERE device_id = ${anchor.deviceId}`);
    if (!now || now.anchor_seq !== anchor.anchorSeq || now.anchor_hash !== anchor.anchorHash) return 0; // another sync of this workspace did it meanwhile
    let n = 0;
    // In slices: a connection cannot insert while a statement is still iterating.
    for (let after = start.seq; ; ) {
      const rows = tx.all<{ seq: number; event: string; signature: string | null }>(sql`SELECT seq, event, signature FROM chain_history_stage WHERE device_id = ${anchor.deviceId} AND seq > ${after} ORDER BY seq LIMIT 5000`);
      if (rows.length === 0) break;
      for (const row of rows) {
        const e = JSON.parse(row.event) as AuditEvent;
        tx.run(sql`INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, comment, prev_hash, hash, signature)
          VALUES (${e.device_id}, ${e.seq}, ${e.event_id}, ${e.actor}, ${e.at}, ${e.action}, ${e.target},
                  ${canonicalJson(e.before)}, ${canonicalJson(e.after)}, ${e.comment}, ${e.prev_hash}, ${e.hash}, ${row.signature})`);
      }
      n += rows.length;
      after = rows.at(-1)!.seq;
    }
    // The stage held exactly the checked range, or this transaction rolls back.
    if (n !== anchor.anchorSeq - start.seq) throw new SyncError('SYNC_PROTOCOL', `history of device ${anchor.deviceId}: staged ${n} events, expected ${anchor.anchorSeq - start.seq}`);
    if (start.seq === 0) tx.run(sql`DELETE FROM chain_anchors WHERE device_id = ${anchor.deviceId}`);
    else tx.run(sql`UPDATE chain_anchors SET anchor_seq = ${start.seq}, anchor_hash = ${start.hash}, since = ${since ?? anchor.since}, set_at = ${tx.now} WHERE device_id = ${anchor.deviceId}`);
    return n;
  });
}

/**
 * `recon sync pull --history [--since DATE] [--recon NAME]`: the older events
 * of every chain held from an anchor (all devices: a chain cannot be cut by
 * recon), checked into the anchor, then the older runs with what hangs on
 * them, of `recons` or of the workspace's recons.
 */
export async function runHistoryPull(store: Store, pool: pg.Pool, opts: { since: string | null; recons?: string[] | null }): Promise<{ history: HistoryResult; pull: PullStateResult }> {
  const history = await withClient(pool, (c) => pullHistoryEvents(store, c, opts.since));
  const current = store.read((tx) => readWindow(tx));
  const recons = opts.recons ?? current?.recons ?? null;
  const since = opts.since ?? '0000';
  const pull = await withClient(pool, (c) => pullScopedState(store, c, { since, recons }, { first: false }));
  // The window now starts earlier, unless only some of its recons came down.
  if (current && (opts.recons === undefined || opts.recons === null) && since < current.since) store.write((tx) => setWindow(tx, { ...current, since }));
  return { history, pull };
}
