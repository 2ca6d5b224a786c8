/**
 * Governance through the service: roles enforced by the engine (the UI only
 * hides), the reason-code catalogue, settings, the audit trail (list, verify,
 * export) and retraining the model off the main thread.
 */
import './testing/fail-on-unhandled.ts';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractEvent } from '../contract/index.ts';
import { openStore, type Store } from '../store/open.ts';
import { createService, type Service } from './service.ts';
import { createRunFixture, type RunFixture } from './testing/run-fixture.ts';

let fx: RunFixture;
let admin: Service;
let otherStore: Store;
let analyst: Service;
const events: ContractEvent[] = [];

beforeAll(async () => {
  fx = await createRunFixture(1000, 5);
  admin = createService({ workspace: fx.workspace, host: 'test', version: '0', store: fx.store, user: { userId: 'ada', displayName: 'Ada' }, quickRetrain: true, emit: (e) => events.push(e) });
  otherStore = openStore(fx.workspace);
  analyst = createService({ workspace: fx.workspace, host: 'test', version: '0', store: otherStore, user: { userId: 'cy', displayName: 'Cy' }, emit: () => {} });
});

afterAll(async () => {
  await admin.close();
  await analyst.close();
  otherStore.close();
  await fx.dispose();
});

describe('users and roles', () => {
  it('has no users until the first one claims admin by granting themselves a role', async () => {
    expect(await admin.invoke('users.me', {})).toMatchObject({ roles: [], workspaceHasUsers: false });
    expect(await admin.invoke('users.grant', { userId: 'ada', role: 'admin' })).toEqual({ changed: false });
    expect(await admin.invoke('users.me', {})).toMatchObject({ roles: ['admin'], workspaceHasUsers: true });
  });

  it('lets the admin add users and grant roles; refuses the same to others and the last admin revoke', async () => {
    await admin.invoke('users.add', { userId: 'cy', displayName: 'Cy', roles: ['analyst'] });
    expect((await admin.invoke('users.list', {})).users.map((u) => [u.userId, u.roles])).toEqual([
      ['ada', ['admin']],
      ['cy', ['analyst']],
    ]);
    expect(await analyst.call('users.grant', { userId: 'cy', role: 'admin' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    expect(await admin.call('users.revoke', { userId: 'ada', role: 'admin' })).toMatchObject({ ok: false, error: { code: 'LAST_ADMIN' } });
    expect(await admin.call('users.grant', { userId: 'nobody', role: 'analyst' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await admin.invoke('users.grant', { userId: 'cy', role: 'approver' })).toEqual({ changed: true });
    expect(await admin.invoke('users.revoke', { userId: 'cy', role: 'approver' })).toEqual({ changed: true });
  });
});

describe('reason codes and settings', () => {
  it('adds and retires codes as admin only', async () => {
    expect(await admin.invoke('reasons.add', { code: 'BOOKING_ERROR', description: 'Booked on the wrong trade', category: 'ACTION' })).toMatchObject({ code: 'BOOKING_ERROR', retiredAt: null });
    expect(await analyst.call('reasons.add', { code: 'X_Y', description: 'x', category: 'NOISE' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    expect(await admin.call('reasons.add', { code: 'lower', description: 'x', category: 'NOISE' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const retired = await admin.invoke('reasons.retire', { code: 'BOOKING_ERROR', comment: 'merged into STATIC_DATA' });
    expect(retired.retiredAt).not.toBeNull();
    const { reasons } = await admin.invoke('reasons.list', { includeRetired: false });
    expect(reasons.map((r) => r.code)).toContain('FX_DIFF');
    expect(reasons.map((r) => r.code)).not.toContain('BOOKING_ERROR');
  });

  it('reads and sets the bulk-proposal threshold and the manual-match approval amount (admin only)', async () => {
    expect(await admin.invoke('settings.get', {})).toEqual({ bulkProposalThreshold: 50, matchApprovalAbove: 10000 });
    expect(await admin.invoke('settings.set', { bulkProposalThreshold: 20 })).toEqual({ bulkProposalThreshold: 20, matchApprovalAbove: 10000 });
    expect(await analyst.call('settings.set', { bulkProposalThreshold: 5 })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    expect(await analyst.invoke('settings.get', {})).toEqual({ bulkProposalThreshold: 20, matchApprovalAbove: 10000 });
  });
});

describe('the audit trail', () => {
  it('lists events newest first, filtered by actor, action prefix and target, and pages', async () => {
    const all = await admin.invoke('audit.list', {});
    expect(all.events[0]!.action).toBe('setting.changed');
    expect(all.actions).toEqual(expect.arrayContaining(['run.started', 'run.completed', 'role.granted', 'user.added', 'reason.added']));
    expect((await admin.invoke('audit.list', { action: 'role.' })).events.every((e) => e.action.startsWith('role.'))).toBe(true);
    expect((await admin.invoke('audit.list', { actor: 'ada', target: 'BOOKING' })).events.map((e) => e.action)).toEqual(['reason.retired', 'reason.added']);
    const first = await admin.invoke('audit.list', { limit: 3 });
    const second = await admin.invoke('audit.list', { limit: 3, before: first.next! });
    expect(second.events[0]!.at <= first.events[2]!.at).toBe(true);
    expect([...first.events, ...second.events].map((e) => e.eventId)).toEqual(all.events.slice(0, 6).map((e) => e.eventId));
    expect((await admin.invoke('audit.list', { from: '2999-01-01' })).events).toEqual([]);
  });

  it('verifies the chain and exports it to a path or for download, each export audited', async () => {
    const report = await admin.invoke('audit.verify', {});
    expect(report).toMatchObject({ ok: true, firstBreak: null });
    const out = join(fx.dir, 'audit.ndjson');
    const written = await admin.invoke('audit.export', { path: out });
    expect(written.events).toBe(report.events);
    expect(createHash('sha256').update(await readFile(out)).digest('hex')).toBe(written.sha256);
    expect(await admin.call('audit.export', { path: out })).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_EXISTS', details: { path: out } } });
    const download = await analyst.invoke('audit.export', {});
    expect(download.path).toBeNull();
    expect(download.content!.trim().split('\n')).toHaveLength(report.events + 1);
    expect((await admin.invoke('audit.list', { action: 'export.written' })).events).toHaveLength(2);
  });
});

describe('the model', () => {
  it('shows the shipped baseline with its metrics', async () => {
    const info = await admin.invoke('model.info', {});
    expect(info).toMatchObject({ baseline: true, labels: 0, job: null });
    expect(info.version).toMatch(/^baseline-/);
    expect(info.metrics?.accuracy).toBeGreaterThan(0.5);
  });

  it('retrains on a worker with progress events, then promotes as admin only (audited)', async () => {
    expect(await analyst.call('model.retrain', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    const { jobId } = await admin.invoke('model.retrain', {});
    expect(await admin.call('model.retrain', {})).toMatchObject({ ok: false, error: { code: 'ILLEGAL_TRANSITION' } });
    for (let i = 0; i < 1200 && !events.some((e) => e.type === 'model.finished'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(events.find((e) => e.type === 'model.finished')).toMatchObject({ jobId, state: 'DONE', error: null });
    expect(events.filter((e) => e.type === 'model.progress').length).toBeGreaterThan(1);
    const { job } = await admin.invoke('model.info', {});
    expect(job).toMatchObject({ jobId, state: 'DONE' });
    expect(job!.result!.candidate.metrics.evaluated).toBeGreaterThan(0);
    if (!job!.result!.promotable) {
      expect(await admin.call('model.promote', { jobId })).toMatchObject({ ok: false, error: { code: 'ILLEGAL_TRANSITION' } });
      return;
    }
    const promoted = await admin.invoke('model.promote', { jobId });
    expect(promoted.version).toBe(job!.result!.candidate.version);
    expect(await admin.invoke('model.info', {})).toMatchObject({ version: promoted.version, baseline: false });
    expect((await admin.invoke('audit.list', { action: 'model.promoted' })).events[0]).toMatchObject({ actor: 'ada', target: `model:${promoted.version}` });
  }, 180_000);
});
