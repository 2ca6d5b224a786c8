import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADA, tempDir } from '../workflow/testing/fixtures.ts';
import { buildTrail } from '../workflow/testing/scenario.ts';
import { exportAudit } from './audit-export.ts';
import { appendAuditEvent, GENESIS_HASH } from './audit-log.ts';
import { verifyChain } from './audit-verify.ts';
import { canonicalJson } from './canonical-json.ts';
import { openStore } from './open.ts';
import type { Store } from './store.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  tmp = tempDir();
  store = openStore(join(tmp.dir, 'ws'));
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('audit trail', () => {
  it('chains events per device with contiguous seq and an outbox row each', () => {
    const e1 = store.write((tx) => appendAuditEvent(tx, { actor: 'ada', action: 'export.written', target: 'x', after: { n: 1 } }));
    const e2 = store.write((tx) => appendAuditEvent(tx, { actor: 'ada', action: 'export.written', target: 'y', comment: 'second' }));
    expect([e1.seq, e2.seq]).toEqual([1, 2]);
    expect(e1.prev_hash).toBe(GENESIS_HASH);
    expect(e2.prev_hash).toBe(e1.hash);
    const outbox = store.db.prepare('SELECT device_id, seq, kind, payload, pushed_at FROM outbox ORDER BY seq').all() as { payload: string; device_id: string }[];
    expect(outbox.map((o) => JSON.parse(o.payload).hash)).toEqual([e1.hash, e2.hash]);
    expect(outbox.every((o) => o.device_id === store.deviceId)).toBe(true);
    expect(verifyChain(store)).toMatchObject({ ok: true, events: 2, firstBreak: null });
  });

  it('refuses UPDATE and DELETE on audit events through triggers', async () => {
    await buildTrail(store, 2);
    expect(() => store.db.exec("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => store.db.exec('DELETE FROM audit_events WHERE seq = 1')).toThrow(/append-only/);
  });

  it('refuses floats in an event: decimals travel as strings', () => {
    expect(() => store.write((tx) => appendAuditEvent(tx, { actor: 'ada', action: 'model.promoted', target: 'm', after: { accuracy: 0.97 } }))).toThrow(/decimals as strings/);
    expect(verifyChain(store).events).toBe(0);
  });

  it('exports NDJSON lines whose hash anyone can recompute, then records the export', async () => {
    await buildTrail(store, 5);
    const out = join(tmp.dir, 'audit.ndjson');
    const n = await exportAudit(store, out);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(n);
    let prev = GENESIS_HASH;
    for (const line of lines) {
      const { hash, ...rest } = JSON.parse(line) as { hash: string; prev_hash: string };
      expect(canonicalJson(JSON.parse(line))).toBe(line);
      expect(createHash('sha256').update(canonicalJson(rest)).digest('hex')).toBe(hash);
      expect(rest.prev_hash).toBe(prev);
      prev = hash;
    }
  });

  it('pages an export larger than one page', async () => {
    store.write((tx) => {
      for (let i = 0; i < 2500; i++) appendAuditEvent(tx, { actor: ADA.userId, action: 'export.written', target: `t${i}` });
    });
    expect(await exportAudit(store, join(tmp.dir, 'big.ndjson'))).toBe(2500);
  });

  it('verifies several devices, each from seq 1 (events pulled from another device)', async () => {
    await buildTrail(store, 3);
    const other = openStore(join(tmp.dir, 'other'), { device: 'device-b' });
    await buildTrail(other, 2);
    const rows = other.db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Record<string, unknown>[];
    const head = other.db.prepare('SELECT * FROM audit_heads').get() as Record<string, unknown>;
    other.close();
    store.db.transaction(() => {
      for (const r of rows) {
        store.db
          .prepare('INSERT INTO audit_events (device_id, seq, event_id, actor, at, action, target, before, after, comment, prev_hash, hash) VALUES (@device_id, @seq, @event_id, @actor, @at, @action, @target, @before, @after, @comment, @prev_hash, @hash)')
          .run(r);
      }
      store.db.prepare('INSERT INTO audit_heads (device_id, seq, hash) VALUES (@device_id, @seq, @hash)').run(head);
    })();
    const report = verifyChain(store);
    expect(report.ok).toBe(true);
    expect(report.devices.map((d) => d.deviceId).sort()).toEqual(['device-b', store.deviceId].sort());
  });
});
