/**
 * Decisions carried forward across a daily series, as the hosts run it
 * (startRegisteredRun, the run worker, the workflow store): decide on day 1,
 * run day 2, and the decisions on breaks whose values did not change are in
 * force on day 2 with the same decision (who, when, why), a changed break's
 * decision is dropped, a pending proposal stays attached to the break it was
 * carried to and settles it when approved, and the carry is one audit event
 * in an intact chain.
 */
import './testing/fail-on-unhandled.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../contract/index.ts';
import { definitionSchema, type Definition } from '../definition/schema.ts';
import { generateSeries, type SeriesDay } from '../generate/series.ts';
import { openStore, type Store } from '../store/open.ts';
import { sql } from '../store/sql.ts';
import type { Identity } from '../workflow/identity.ts';
import { breakIdsByKeyField, fieldBreaksWithLifecycle } from '../series/testing/generated-series.ts';
import { startRegisteredRun } from './registered-run.ts';
import { createService, type Service } from './service.ts';

const root = mkdtempSync(join(tmpdir(), 'recon-carry-'));
const workspace = join(root, 'ws');
const ada: Identity = { userId: 'ada', displayName: 'Ada' };
let store: Store;
let bobStore: Store;
let adaSvc: Service;
let bobSvc: Service;
let days: SeriesDay[];
let definition: Definition;
const runs: RunSummary[] = [];

async function runDay(day: SeriesDay): Promise<RunSummary> {
  const summary = await startRegisteredRun(store, ada, { aPath: day.aPath, bPath: day.bPath, definition, workspace, asOf: day.asOf }).result;
  runs.push(summary);
  return summary;
}

const status = (runId: string, breakId: number): { status: string; reason: string | null; decision_id: string; approval_id: string | null } | undefined =>
  store.read((tx) => tx.get(sql`SELECT status, reason, decision_id, approval_id FROM break_status WHERE run_id = ${runId} AND break_id = ${breakId}`));

let d1: Map<string, number>;
let d2: Map<string, number>;
let accepted: string;
let proposed: string;
let changed: string;
let acceptId: string;
let proposalId: string;

beforeAll(async () => {
  const series = await generateSeries({ rows: 1500, days: 3, outDir: join(root, 'data'), seed: 21, breakRate: 0.04 });
  days = series.days;
  definition = definitionSchema.parse(JSON.parse(readFileSync(series.definitionPath, 'utf8')));
  store = openStore(workspace);
  bobStore = openStore(workspace);
  adaSvc = createService({ workspace, host: 'test', version: '0', store, user: ada, emit: () => undefined });
  bobSvc = createService({ workspace, host: 'test', version: '0', store: bobStore, user: { userId: 'bob', displayName: 'Bob' }, emit: () => undefined });
  await adaSvc.invoke('users.grant', { userId: 'ada', role: 'analyst' });
  await adaSvc.invoke('users.add', { userId: 'bob', roles: ['approver', 'analyst'] });

  await runDay(days[0]!);
  d1 = await breakIdsByKeyField(runs[0]!.database);
  // Day 2's truth says which of day 1's breaks it carries and which it changes.
  [accepted = '', proposed = ''] = fieldBreaksWithLifecycle(days[1]!, 'CARRIED');
  [changed = ''] = fieldBreaksWithLifecycle(days[1]!, 'CHANGED');
  acceptId = (await adaSvc.invoke('review.decide', { runId: runs[0]!.runId, breakId: d1.get(accepted!)!, kind: 'ACCEPT', comment: 'known rounding' })).decisionId;
  proposalId = (await adaSvc.invoke('review.decide', { runId: runs[0]!.runId, breakId: d1.get(proposed!)!, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'booked in EUR' })).decisionId;
  await adaSvc.invoke('review.decide', { runId: runs[0]!.runId, breakId: d1.get(changed!)!, kind: 'ACCEPT', comment: 'settles tomorrow' });

  await runDay(days[1]!);
  d2 = await breakIdsByKeyField(runs[1]!.database);
}, 180_000);

afterAll(async () => {
  await adaSvc.close();
  await bobSvc.close();
  store.close();
  bobStore.close();
  rmSync(root, { recursive: true, force: true });
});

describe('decisions carried forward', () => {
  it('links day 2 to day 1 and counts what it carried and dropped', () => {
    expect(accepted && proposed && changed).toBeTruthy();
    expect(runs[1]!.lifecycle).toMatchObject({ previousRunId: runs[0]!.runId, decisionsCarried: 2, decisionsDropped: 1 });
  });

  it('keeps the decision of a carried break: same decision, status and reason, no new approval', () => {
    const before = status(runs[0]!.runId, d1.get(accepted)!);
    expect(before).toMatchObject({ status: 'ACCEPTED', decision_id: acceptId });
    expect(status(runs[1]!.runId, d2.get(accepted)!)).toEqual(before);
    expect(status(runs[1]!.runId, d2.get(proposed)!)).toMatchObject({ status: 'PROPOSED', decision_id: proposalId });
  });

  it("drops a changed break's decision and records why", () => {
    expect(status(runs[1]!.runId, d2.get(changed)!)).toBeUndefined();
    const carries = store.read((tx) => tx.all<{ break_id: number; kept: number; from_run_id: string }>(sql`SELECT break_id, kept, from_run_id FROM break_carries WHERE run_id = ${runs[1]!.runId} ORDER BY break_id`));
    expect(carries).toHaveLength(3);
    expect(carries.find((c) => c.break_id === d2.get(changed))).toMatchObject({ kept: 0, from_run_id: runs[0]!.runId });
  });

  it("tells the carried break's story: carried from day 1, with day 1's decisions", async () => {
    const h = await adaSvc.invoke('review.history', { runId: runs[1]!.runId, breakId: d2.get(accepted)! });
    expect(h.carried).toMatchObject({ fromRunId: runs[0]!.runId, fromBreakId: d1.get(accepted)!, kept: true, status: 'ACCEPTED', decisionId: acceptId });
    expect(h.entries).toMatchObject([{ runId: runs[0]!.runId, decisionId: acceptId, kind: 'ACCEPT', actor: 'ada', comment: 'known rounding' }]);
    expect(h.current).toMatchObject({ status: 'ACCEPTED', decisionId: acceptId });
    const dropped = await adaSvc.invoke('review.history', { runId: runs[1]!.runId, breakId: d2.get(changed)! });
    expect(dropped).toMatchObject({ current: null, carried: { kept: false, fromRunId: runs[0]!.runId } });
    const fresh = await adaSvc.invoke('review.history', { runId: runs[0]!.runId, breakId: d1.get(accepted)! });
    expect(fresh.carried).toBeNull();
  });

  it('records the carry as one audit event in an intact chain', async () => {
    const events = store.read((tx) => tx.all<{ action: string; target: string }>(sql`SELECT action, target FROM audit_events WHERE action = 'breaks.carried'`));
    expect(events).toEqual([{ action: 'breaks.carried', target: `run:${runs[1]!.runId}` }]);
    expect(await adaSvc.invoke('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('settles the carried break with the proposal when it is approved', async () => {
    await bobSvc.invoke('approvals.decide', { decisionId: proposalId, verdict: 'APPROVE', comment: 'checked' });
    expect(status(runs[0]!.runId, d1.get(proposed)!)).toMatchObject({ status: 'OVERRIDDEN', reason: 'FX_DIFF' });
    expect(status(runs[1]!.runId, d2.get(proposed)!)).toMatchObject({ status: 'OVERRIDDEN', reason: 'FX_DIFF', decision_id: proposalId });
  });

  it('carries the decisions on to day 3 where the breaks are still the same', async () => {
    await runDay(days[2]!);
    const d3 = await breakIdsByKeyField(runs[2]!.database);
    const stillCarried = new Set(fieldBreaksWithLifecycle(days[2]!, 'CARRIED'));
    for (const [key, decisionId] of [
      [accepted, acceptId],
      [proposed, proposalId],
    ] as const) {
      if (stillCarried.has(key)) expect(status(runs[2]!.runId, d3.get(key)!)).toMatchObject({ decision_id: decisionId });
    }
    expect(runs[2]!.lifecycle.previousRunId).toBe(runs[1]!.runId);
  });
});
