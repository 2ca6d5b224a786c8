/**
 * Decisions carried forward (break memory) on two workstations: the maker's
 * device runs day 1, decides, runs day 2 (which carries the decisions) and
 * syncs; the server checks each carry against its own statuses and projects
 * them, the approver's device pulls the carried statuses and carries, and an
 * approval there settles the proposal's carried break on every device. A
 * carry the server's statuses do not back is not projected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../contract/index.ts';
import { definitionSchema, type Definition } from '../definition/schema.ts';
import { generateSeries, type SeriesDay } from '../generate/series.ts';
import { startRegisteredRun } from '../host/registered-run.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import { breakIdsByKeyField, fieldBreaksWithLifecycle } from '../series/testing/generated-series.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { approveProposal } from '../workflow/approvals.ts';
import { decide } from '../workflow/decisions.ts';
import { ALICE, BOB, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let checker: Device;
let days: SeriesDay[];
let definition: Definition;
const runs: RunSummary[] = [];
let d1: Map<string, number>;
let d2: Map<string, number>;
let accepted: string;
let proposed: string;
let proposalId: string;

async function decideOnDay1(breakId: number, kind: 'ACCEPT' | 'OVERRIDE'): Promise<string> {
  const source = await openBreakSource(runs[0]!.database);
  try {
    const input = kind === 'ACCEPT' ? { runId: runs[0]!.runId, breakId, kind, comment: 'known' } : { runId: runs[0]!.runId, breakId, kind, reason: 'FX_DIFF', comment: 'booked in EUR' };
    return (await decide(maker.store, source, ALICE, input)).decisionId;
  } finally {
    source.close();
  }
}

const statusOn = (d: Device, runId: string, breakId: number) =>
  d.store.read((tx) =>
    tx.get<{ status: string; decision_id: string }>({ text: 'SELECT status, decision_id FROM break_status WHERE run_id = ? AND break_id = ?', params: [runId, breakId] }),
  );

beforeAll(async () => {
  tmp = tempDir('recon-sync-carry-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'] });
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  checker = openDevice(tmp.dir, 'checker', server, { login: 'bob' });
  seedUsers(maker.store);
  seedUsers(checker.store);
  const series = await generateSeries({ rows: 1200, days: 2, outDir: join(tmp.dir, 'data'), seed: 5, breakRate: 0.05 });
  days = series.days;
  definition = definitionSchema.parse(JSON.parse(readFileSync(series.definitionPath, 'utf8')));
  const run = async (day: SeriesDay): Promise<void> => {
    runs.push(await startRegisteredRun(maker.store, ALICE, { aPath: day.aPath, bPath: day.bPath, definition, workspace: maker.dir, asOf: day.asOf }).result);
  };
  await run(days[0]!);
  d1 = await breakIdsByKeyField(runs[0]!.database);
  [accepted = '', proposed = ''] = fieldBreaksWithLifecycle(days[1]!, 'CARRIED');
  await decideOnDay1(d1.get(accepted!)!, 'ACCEPT');
  proposalId = await decideOnDay1(d1.get(proposed!)!, 'OVERRIDE');
  await maker.sync();
  await run(days[1]!);
  d2 = await breakIdsByKeyField(runs[1]!.database);
  await maker.sync();
}, 240_000);

afterAll(async () => {
  await maker?.close();
  await checker?.close();
  await server?.destroy();
  tmp?.cleanup();
});

describe('carried decisions across devices', () => {
  it('are projected on the server after it checks them against its own statuses', async () => {
    expect(runs[1]!.lifecycle).toMatchObject({ decisionsCarried: 2 });
    const c = await server.admin();
    try {
      const carries = await c.query('SELECT break_id::int AS break_id, kept, status FROM recon.break_carries WHERE run_id = $1 ORDER BY break_id', [runs[1]!.runId]);
      expect(carries.rows).toEqual(
        [
          { break_id: d2.get(accepted)!, kept: true, status: 'ACCEPTED' },
          { break_id: d2.get(proposed)!, kept: true, status: 'PROPOSED' },
        ].sort((x, y) => x.break_id - y.break_id),
      );
      const statuses = await c.query('SELECT break_id::int AS break_id, status FROM recon.break_status WHERE run_id = $1 ORDER BY break_id', [runs[1]!.runId]);
      expect(statuses.rows).toHaveLength(2);
      const outcome = await c.query("SELECT o.outcome FROM recon.event_outcomes o JOIN recon.audit_events e USING (device_id, seq) WHERE e.action = 'breaks.carried'");
      expect(outcome.rows).toEqual([{ outcome: 'APPLIED' }]);
    } finally {
      await c.end();
    }
  });

  it("reach the approver's device, and approving there settles the carried break everywhere", async () => {
    await checker.sync();
    expect(statusOn(checker, runs[1]!.runId, d2.get(accepted)!)).toMatchObject({ status: 'ACCEPTED' });
    expect(statusOn(checker, runs[1]!.runId, d2.get(proposed)!)).toMatchObject({ status: 'PROPOSED', decision_id: proposalId });
    const pulled = checker.store.read((tx) => tx.all({ text: 'SELECT break_id, kept FROM break_carries WHERE run_id = ? ORDER BY break_id', params: [runs[1]!.runId] }));
    expect(pulled).toHaveLength(2);

    approveProposal(checker.store, BOB, proposalId, 'checked');
    expect(statusOn(checker, runs[1]!.runId, d2.get(proposed)!)).toMatchObject({ status: 'OVERRIDDEN' });
    await checker.sync();
    const c = await server.admin();
    try {
      const rows = await c.query('SELECT run_id, status FROM recon.break_status WHERE decision_id = $1 ORDER BY run_id', [proposalId]);
      expect(rows.rows).toEqual([
        { run_id: runs[0]!.runId, status: 'OVERRIDDEN' },
        { run_id: runs[1]!.runId, status: 'OVERRIDDEN' },
      ]);
    } finally {
      await c.end();
    }
    await maker.sync();
    expect(statusOn(maker, runs[1]!.runId, d2.get(proposed)!)).toMatchObject({ status: 'OVERRIDDEN', decision_id: proposalId });
  });

  it('does not project a carry that no decision in force on the server backs', async () => {
    // A device claims a carry of a decision that is not in force on the previous break.
    const fake = d2.get(fieldBreaksWithLifecycle(days[1]!, 'CARRIED')[2]!)!;
    maker.store.write((tx) =>
      appendAuditEvent(tx, {
        actor: ALICE.userId,
        action: 'breaks.carried',
        target: `run:${runs[1]!.runId}`,
        before: { run_id: runs[0]!.runId },
        after: {
          run_id: runs[1]!.runId,
          from_run_id: runs[0]!.runId,
          columns: ['break_id', 'from_break_id', 'origin_break_id', 'decision_id', 'approval_id', 'status', 'reason', 'kept'],
          rows: [[fake, fake, fake, proposalId, null, 'ACCEPTED', 'FX_DIFF', true]],
        },
      }),
    );
    await maker.sync();
    const c = await server.admin();
    try {
      expect((await c.query('SELECT 1 FROM recon.break_status WHERE run_id = $1 AND break_id = $2', [runs[1]!.runId, fake])).rows).toEqual([]);
      const outcome = await c.query(
        "SELECT o.outcome, o.code FROM recon.event_outcomes o JOIN recon.audit_events e USING (device_id, seq) WHERE e.action = 'breaks.carried' ORDER BY e.seq DESC LIMIT 1",
      );
      expect(outcome.rows).toEqual([{ outcome: 'APPLIED', code: 'PARTLY_CARRIED' }]);
    } finally {
      await c.end();
    }
  });
});
