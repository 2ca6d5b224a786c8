/**
 * Pull by window (issue 17, item 15), against a real PostgreSQL: a new
 * workstation's first pull brings the open items of older runs and the recent
 * history, not the old closed history; its local trail verifies from each
 * chain's anchor and says what it did not pull; `--history` fills in and
 * checks into the anchor; a server copy of the older part that does not link
 * into the anchor is refused, and nothing of it is kept.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../cli/commands/audit.ts';
import { syncCommand } from '../cli/commands/sync.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { hashEvent, type AuditEvent } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import { approveProposal } from '../workflow/approvals.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { decide } from '../workflow/decisions.ts';
import { ADA, ALICE, BOB, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import { readAnchors } from './chain-anchors.ts';
import { runPull } from './cycle.ts';
import { listProposalsWithSync } from './history.ts';
import { saveConnection } from './local-state.ts';
import { runHistoryPull } from './pull-history.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let fresh: Device;
let since = '';
let mid = '';
let proposalId = '';
let closedId = '';
let windowDecisionId = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const localIds = (d: Device, table: 'runs' | 'decisions'): string[] =>
  d.store.read((tx) => tx.all<{ id: string }>(table === 'runs' ? sql`SELECT run_id AS id FROM runs ORDER BY run_id` : sql`SELECT decision_id AS id FROM decisions ORDER BY decision_id`)).map((r) => r.id);
const makerEvents = (d: Device): number[] => d.store.read((tx) => tx.all<{ seq: number }>(sql`SELECT seq FROM audit_events WHERE device_id = ${maker.store.deviceId} ORDER BY seq`)).map((r) => r.seq);

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await fn(), out };
  } finally {
    process.stdout.write = write;
  }
}

beforeAll(async () => {
  tmp = tempDir('recon-sync-window-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'] });
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  const runFile = join(tmp.dir, 'run.duckdb');
  await writeRunFile(runFile, 200);
  seedUsers(maker.store);
  // Old history: run-a closed (an accepted break), run-b with a proposal still waiting for an approver.
  seedRun(maker.store, 'run-a', runFile);
  seedRun(maker.store, 'run-b', runFile);
  const source = await openBreakSource(runFile);
  try {
    closedId = (await decide(maker.store, source, ALICE, { runId: 'run-a', breakId: 20, kind: 'ACCEPT' })).decisionId;
    await sleep(30);
    mid = new Date().toISOString();
    await sleep(30);
    const p = await decide(maker.store, source, ALICE, { runId: 'run-b', breakId: 4, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR' });
    expect(p.proposal).toBe(true);
    proposalId = p.decisionId;
    await maker.sync();
    await sleep(50);
    since = new Date().toISOString();
    await sleep(50);
    // Recent history: run-c, decided in the window.
    seedRun(maker.store, 'run-c', runFile);
    windowDecisionId = (await decide(maker.store, source, ALICE, { runId: 'run-c', breakId: 20, kind: 'ACCEPT' })).decisionId;
    await maker.sync();
  } finally {
    source.close();
  }
  fresh = openDevice(tmp.dir, 'fresh', server, { login: 'bob' });
  saveConnection(fresh.store, ADA, fresh.settings);
}, 180_000);

afterAll(async () => {
  await maker?.close();
  await fresh?.close();
  await server?.destroy();
  tmp?.cleanup();
});

describe('pull by window', () => {
  it('a first pull brings the open items of older runs and the recent history, not the old closed history', async () => {
    await runPull(fresh.store, fresh.pool, { scope: { since } });
    expect(localIds(fresh, 'runs')).toEqual(['run-b', 'run-c']);
    const decisions = localIds(fresh, 'decisions');
    expect(decisions).toContain(proposalId);
    expect(decisions).toContain(windowDecisionId);
    expect(decisions).not.toContain(closedId);
    const pending = listProposalsWithSync(fresh.store, { pendingOnly: true });
    expect(pending.map((p) => [p.decisionId, p.origin])).toEqual([[proposalId, 'remote']]);

    // The maker's chain is held from the window's first event, anchored on the seq before it.
    const [anchor] = fresh.store.read((tx) => readAnchors(tx));
    expect(anchor).toMatchObject({ deviceId: maker.store.deviceId, since });
    const held = makerEvents(fresh);
    expect(held[0]).toBe(anchor!.anchorSeq + 1);
    expect(held.at(-1)).toBe(maker.store.read((tx) => tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${maker.store.deviceId}`))!.seq);
    const c = await server.admin();
    try {
      const first = (await c.query<{ seq: string; at: string }>('SELECT seq, at FROM recon.audit_events WHERE device_id = $1 AND at >= $2 ORDER BY seq LIMIT 1', [maker.store.deviceId, since])).rows[0]!;
      expect(Number(first.seq)).toBe(anchor!.anchorSeq + 1);
      const hash = (await c.query<{ hash: string }>('SELECT hash FROM recon.audit_events WHERE device_id = $1 AND seq = $2', [maker.store.deviceId, anchor!.anchorSeq])).rows[0]!.hash;
      expect(anchor!.anchorHash).toBe(hash);
    } finally {
      await c.end();
    }

    const status = readSyncStatus(fresh.store);
    expect(status.window).toMatchObject({ since, done: true, notPulledEvents: anchor!.anchorSeq, anchoredDevices: 1 });
    const text = await capture(() => syncCommand(['status', '--workspace', fresh.dir]));
    expect(text.out).toContain(`history before ${since.slice(0, 10)} not pulled: ${anchor!.anchorSeq} events on 1 device(s); recon sync pull --history`);
  });

  it('the windowed trail verifies from each anchor and says what it did not pull', async () => {
    const report = verifyTrail(fresh.store);
    expect(report.ok).toBe(true);
    const [anchor] = fresh.store.read((tx) => readAnchors(tx));
    expect(report.devices.find((d) => d.deviceId === maker.store.deviceId)).toMatchObject({ fromSeq: anchor!.anchorSeq + 1, anchor: { seq: anchor!.anchorSeq } });
    // The pending proposal is an open item whose event is before the anchor: taken on the server's word, and said so.
    expect(report.stateBeforeAnchor).toBe(1);
    const out = await capture(() => auditCommand(['verify', '--workspace', fresh.dir]));
    expect(out.code).toBe(0);
    expect(out.out).toMatch(/^audit chain ok: /);
    expect(out.out).toContain(`${maker.store.deviceId}: seq ${anchor!.anchorSeq + 1}..`);
    expect(out.out).toContain(`seq 1..${anchor!.anchorSeq} (before ${since.slice(0, 10)}) not pulled, so not checked here: recon sync pull --history`);
    expect(out.out).toContain('1 decision(s) and verdict(s) pulled as open items rest on events not pulled');
  });

  it('an approver on the new workstation approves the old pending proposal, and the server applies it', async () => {
    approveProposal(fresh.store, BOB, proposalId, 'checked');
    await fresh.sync();
    const c = await server.admin();
    try {
      expect((await c.query('SELECT state FROM recon.approvals WHERE decision_id = $1', [proposalId])).rows).toEqual([{ state: 'APPLIED' }]);
    } finally {
      await c.end();
    }
  });

  it('--history --since moves the anchor back to that date, the older part checked into the anchor', async () => {
    const [before] = fresh.store.read((tx) => readAnchors(tx));
    const r = await runHistoryPull(fresh.store, fresh.pool, { since: mid });
    const [after] = fresh.store.read((tx) => readAnchors(tx));
    expect(after!.anchorSeq).toBeLessThan(before!.anchorSeq);
    expect(after).toMatchObject({ since: mid });
    expect(r.history).toMatchObject({ events: before!.anchorSeq - after!.anchorSeq, devices: [{ deviceId: maker.store.deviceId, fromSeq: after!.anchorSeq + 1, toSeq: before!.anchorSeq, complete: false }] });
    expect(makerEvents(fresh)[0]).toBe(after!.anchorSeq + 1);
    // run-a started before `mid`: still on the server only.
    expect(localIds(fresh, 'runs')).toEqual(['run-b', 'run-c']);
    expect(verifyTrail(fresh.store).ok).toBe(true);
    expect(readSyncStatus(fresh.store).window).toMatchObject({ historyBefore: mid, notPulledEvents: after!.anchorSeq });
  });

  it('--history fills in the older events, checked into the anchor, and the older runs', async () => {
    const r = await runHistoryPull(fresh.store, fresh.pool, { since: null });
    const head = maker.store.read((tx) => tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${maker.store.deviceId}`))!.seq;
    expect(r.history.devices).toEqual([expect.objectContaining({ deviceId: maker.store.deviceId, fromSeq: 1, complete: true })]);
    expect(makerEvents(fresh)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(fresh.store.read((tx) => readAnchors(tx))).toEqual([]);
    expect(localIds(fresh, 'runs')).toEqual(['run-a', 'run-b', 'run-c']);
    expect(localIds(fresh, 'decisions')).toContain(closedId);
    const report = verifyTrail(fresh.store);
    expect(report.firstBreak).toBeNull();
    expect(report.stateBeforeAnchor).toBeUndefined();
    expect(report.devices.find((d) => d.deviceId === maker.store.deviceId)).toMatchObject({ fromSeq: 1 });
    expect(readSyncStatus(fresh.store).window).toMatchObject({ since: '0000', notPulledEvents: 0 });
  });

  it('a server copy of the older part that does not link into the anchor is refused, and nothing of it is kept', async () => {
    const other = openDevice(tmp.dir, 'other', server, { login: 'bob' });
    try {
      await runPull(other.store, other.pool, { scope: { since } });
      const [anchor] = other.store.read((tx) => readAnchors(tx));
      const before = makerEvents(other);
      // What this workstation verified and the server's older part disagree: refused at the anchor.
      other.store.db.prepare('UPDATE chain_anchors SET anchor_hash = ? WHERE device_id = ?').run('f'.repeat(64), maker.store.deviceId);
      await expect(runHistoryPull(other.store, other.pool, { since: null })).rejects.toMatchObject({ code: 'SYNC_REMOTE_CHAIN_BROKEN', message: expect.stringMatching(/does not link into the anchor/) });
      expect(makerEvents(other)).toEqual(before);
      other.store.db.prepare('UPDATE chain_anchors SET anchor_hash = ? WHERE device_id = ?').run(anchor!.anchorHash, maker.store.deviceId);
      // The schema owner's superuser rewrites the event at the anchor (its content and hash, consistently) with the triggers off.
      const su = await server.admin('superuser');
      try {
        const row = (await su.query<{ event: string }>('SELECT event::text AS event FROM recon.audit_events WHERE device_id = $1 AND seq = $2', [maker.store.deviceId, anchor!.anchorSeq])).rows[0]!;
        const forged = { ...(JSON.parse(row.event) as AuditEvent), comment: 'rewritten later' };
        const text = canonicalJson({ ...forged, hash: hashEvent(forged) } as never);
        await su.query('SET session_replication_role = replica');
        await su.query('UPDATE recon.audit_events SET event = $3::json, hash = $4 WHERE device_id = $1 AND seq = $2', [maker.store.deviceId, anchor!.anchorSeq, text, hashEvent(forged)]);
      } finally {
        await su.end();
      }
      // Refused whichever check sees it first: the anchor, or the event's signature (event-signatures.ts) when the device signs.
      await expect(runHistoryPull(other.store, other.pool, { since: null })).rejects.toMatchObject({
        code: 'SYNC_REMOTE_CHAIN_BROKEN',
        message: expect.stringMatching(/does not link into the anchor|SIGNATURE_INVALID/),
      });
      expect(makerEvents(other)).toEqual(before);
      expect(other.store.read((tx) => readAnchors(tx))).toEqual([anchor]);
      expect(other.store.read((tx) => tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM chain_history_stage`))!.n).toBe(0);
      expect(verifyTrail(other.store).ok).toBe(true);
    } finally {
      await other.close();
    }
  });
});
