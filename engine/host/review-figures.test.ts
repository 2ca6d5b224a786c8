import './testing/fail-on-unhandled.ts';
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakRow, CallArgs, CallResult } from '../contract/index.ts';
import { EXPORT_COLUMNS } from '../report/columns.ts';
import { parseCsv } from '../report/testing/fixture.ts';
import { openStore, type Store } from '../store/open.ts';
import type { Identity } from '../workflow/identity.ts';
import { createService, type Service } from './service.ts';
import { createRunFixture, type RunFixture } from './testing/run-fixture.ts';

/**
 * Alice decides and proposes, Bob approves one override and rejects another.
 * Every screen and report then states the same figures (the run overview,
 * the summary in JSON and text, the XLSX summary sheet, the narrative, the
 * evidence pack) and every detailed export says what became of each
 * proposal: a rejected override is not "approved by bob", and its break has
 * the status it really has.
 */
let fx: RunFixture;
const stores: Store[] = [];
let ada: Service;
let alice: Service;
let bob: Service;
let runId: string;
const ids = { accepted: [] as number[], rejectedBreak: 0, declined: 0, approved: 0, pending: 0 };
let model: Map<number, BreakRow>;

const serviceAs = (user: Identity): Service => {
  const store = openStore(fx.workspace);
  stores.push(store);
  return createService({ workspace: fx.workspace, host: 'test', version: '0', store, user, emit: () => undefined });
};

beforeAll(async () => {
  // A threshold the model rarely reaches: some breaks are left UNKNOWN with a suggestion.
  fx = await createRunFixture(2000, 7, (d) => ({ ...d, attribution: { ...d.attribution, threshold: 0.99 } }));
  runId = fx.summary.runId;
  ada = serviceAs({ userId: 'ada', displayName: 'Ada' });
  alice = serviceAs({ userId: 'alice', displayName: 'Alice' });
  bob = serviceAs({ userId: 'bob', displayName: 'Bob' });
  await ada.invoke('users.grant', { userId: 'ada', role: 'admin' });
  await ada.invoke('users.add', { userId: 'alice', displayName: 'Alice', roles: ['analyst'] });
  await ada.invoke('users.add', { userId: 'bob', displayName: 'Bob', roles: ['approver'] });
  const { rows } = await alice.invoke('breaks.page', { runId, startRow: 0, endRow: 1000 });
  model = new Map(rows.map((r) => [r.breakId, r]));
  // A break the model left UNKNOWN with a suggestion: accepting it changes its reason.
  const unknown = rows.find((r) => r.reason === 'UNKNOWN' && r.suggestedReason !== null && r.suggestedReason !== 'UNKNOWN');
  expect(unknown).toBeDefined();
  const autos = rows.filter((r) => r.status === 'AUTO' && r.diffType === 'MISMATCH' && r.reason !== 'STATIC_DATA');
  expect(autos.length).toBeGreaterThanOrEqual(6);
  ids.accepted = [unknown!.breakId, autos[0]!.breakId, autos[1]!.breakId];
  [ids.rejectedBreak, ids.declined, ids.approved, ids.pending] = autos.slice(2, 6).map((r) => r.breakId) as [number, number, number, number];
  for (const breakId of ids.accepted) await alice.invoke('review.decide', { runId, breakId, kind: 'ACCEPT' });
  await alice.invoke('review.decide', { runId, breakId: ids.rejectedBreak, kind: 'REJECT', comment: 'a real break' });
  const declined = await alice.invoke('review.decide', { runId, breakId: ids.declined, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'looks like FX' });
  await bob.invoke('approvals.decide', { decisionId: declined.decisionId, verdict: 'REJECT', comment: 'it is not FX' });
  const approved = await alice.invoke('review.decide', { runId, breakId: ids.approved, kind: 'OVERRIDE', reason: 'STATIC_DATA', comment: 'spelling' });
  await bob.invoke('approvals.decide', { decisionId: approved.decisionId, verdict: 'APPROVE' });
  await alice.invoke('review.decide', { runId, breakId: ids.pending, kind: 'OVERRIDE', reason: 'TIMING_DIFF', comment: 'a day late' });
});

afterAll(async () => {
  for (const s of [ada, alice, bob]) await s?.close();
  for (const s of stores) s.close();
  await fx?.dispose();
});

const exportTo = async (format: CallArgs<'runs.export'>['format'], name: string): Promise<string> =>
  (await alice.invoke('runs.export', { runId, format, path: join(fx.dir, 'exports', name), overwrite: true })).path;

describe('one set of review figures', () => {
  let overview: CallResult<'runs.get'>['review'];

  beforeAll(async () => {
    overview = (await alice.invoke('runs.get', { runId })).review;
  });

  it('the overview counts decided by final status: a rejected override is not decided', () => {
    expect(overview.decided).toBe(5);
    expect(overview.decidedByStatus).toEqual({ ACCEPTED: 3, OVERRIDDEN: 1, REJECTED: 1 });
    expect(overview.proposals).toEqual({ pending: 1, pendingBreaks: 1, approved: 1, rejected: 1, withdrawn: 0 });
    expect(overview.pendingProposals).toBe(1);
    expect(overview.byStatus).toMatchObject({ ACCEPTED: 3, OVERRIDDEN: 1, REJECTED: 1, PROPOSED: 1, [model.get(ids.declined)!.status!]: 1 });
  });

  it('the overview counts reasons after decisions, as the grid facets do', async () => {
    const facets = await alice.invoke('breaks.facets', { runId });
    expect(overview.byReason).toEqual(Object.fromEntries(facets.reasons.map((f) => [f.value ?? 'UNATTRIBUTED', f.count])));
    // The model's reasons, moved by what took effect: the accepted UNKNOWN break to its suggestion, the approved override to STATIC_DATA.
    const expected = { ...(await alice.invoke('runs.get', { runId })).attribution!.byReason };
    const move = (from: string, to: string): void => {
      expected[from] = expected[from]! - 1;
      if (expected[from] === 0) delete expected[from];
      expected[to] = (expected[to] ?? 0) + 1;
    };
    move('UNKNOWN', model.get(ids.accepted[0]!)!.suggestedReason!);
    move(model.get(ids.approved)!.reason!, 'STATIC_DATA');
    expect(overview.byReason).toEqual(expected);
  });

  it('the summary (JSON and text), the XLSX summary sheet, the narrative and the evidence pack state the same figures', async () => {
    const json = JSON.parse(await readFile(await exportTo('summary', 's.json'), 'utf8')) as { review: typeof overview & { breaks: number }; breaks: { byReason: Record<string, number> } };
    expect(json.review).toMatchObject({ decided: overview.decided, decidedByStatus: overview.decidedByStatus, proposals: overview.proposals, byReason: overview.byReason, byStatus: overview.byStatus });
    expect(json.breaks.byReason).toEqual(overview.byReason);

    const text = await readFile(await exportTo('summary', 's.txt'), 'utf8');
    expect(text).toContain(`decided ${overview.decided} of `);
    expect(text).toContain('1 waiting (1 breaks), 1 approved, 1 rejected, 0 withdrawn');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await exportTo('xlsx', 'b.xlsx'));
    const items = new Map<string, unknown>();
    wb.getWorksheet('Summary')!.eachRow((row) => items.set(row.getCell(1).text, row.getCell(2).value));
    expect(items.get('Decided')).toBe(overview.decided);
    expect(items.get('Proposals rejected')).toBe(1);
    expect(items.get('Breaks with reason STATIC_DATA')).toBe(overview.byReason['STATIC_DATA']);

    // Markdown escapes the underscores of reason codes; the words are compared without them.
    const md = (await readFile(await exportTo('narrative-md', 'n.md'), 'utf8')).replaceAll('\\_', '_');
    expect(md).toContain(`Reviewers have decided on ${overview.decided} of`);
    expect(md).toContain('3 accepted, 1 overridden, 1 rejected');
    expect(md).toContain('1 proposal (1 break) waits for an approver');
    expect(md).toContain('1 proposal was rejected by an approver');
    expect(md).toContain(`STATIC_DATA: ${overview.byReason['STATIC_DATA']!.toLocaleString('en-US')} (`);
    if (overview.byReason['UNKNOWN'] === undefined) expect(md).not.toMatch(/UNKNOWN: \d/);
    else expect(md).toContain(`UNKNOWN: ${overview.byReason['UNKNOWN'].toLocaleString('en-US')} (`);

    const pack = JSON.parse(await readFile(await exportTo('evidence', 'e.json'), 'utf8')) as { review: { decided: number; proposals: unknown }; breaks: { byReason: unknown } };
    expect(pack.review).toEqual({ decided: overview.decided, decidedByStatus: overview.decidedByStatus, proposals: overview.proposals });
    expect(pack.breaks.byReason).toEqual(overview.byReason);
  });
});

describe('what became of each proposal, in every detailed export', () => {
  const col = (h: string): number => EXPORT_COLUMNS.findIndex((c) => c.header === h);

  it('CSV (both profiles): the rejected override says rejected by bob and keeps the break where it was; nobody "approved" it', async () => {
    for (const [format, name] of [['csv', 'b.csv'], ['csv-excel', 'b-excel.csv']] as const) {
      const text = await readFile(await exportTo(format, name), 'utf8');
      const body = text.replace(/^\uFEFF/, '');
      const rows = parseCsv(body, body.startsWith('Break ID;') ? ';' : ',');
      const byId = new Map(rows.slice(1).map((r) => [Number(r[col('Break ID')]), r]));
      const declined = byId.get(ids.declined)!;
      expect(declined[col('Status')]).toBe(model.get(ids.declined)!.status);
      expect(declined[col('Reason')]).toBe(model.get(ids.declined)!.reason);
      expect(declined[col('Decision')]).toBe('OVERRIDE FX_DIFF (proposal rejected by bob)');
      expect([declined[col('Proposal outcome')], declined[col('Outcome by')], declined[col('Approved by')], declined[col('Outcome comment')]]).toEqual(['REJECTED', 'bob', '', 'it is not FX']);
      const approved = byId.get(ids.approved)!;
      expect([approved[col('Status')], approved[col('Reason')], approved[col('Decision')], approved[col('Proposal outcome')], approved[col('Approved by')]]).toEqual(['OVERRIDDEN', 'STATIC_DATA', 'OVERRIDE STATIC_DATA', 'APPROVED', 'bob']);
      const pending = byId.get(ids.pending)!;
      expect([pending[col('Status')], pending[col('Proposal outcome')], pending[col('Outcome by')], pending[col('Approved by')]]).toEqual(['PROPOSED', 'PENDING', '', '']);
      const accepted = byId.get(ids.accepted[0]!)!;
      expect([accepted[col('Status')], accepted[col('Decision')], accepted[col('Proposal outcome')]]).toEqual(['ACCEPTED', `ACCEPT ${model.get(ids.accepted[0]!)!.suggestedReason}`, '']);
    }
  });

  it('XLSX: the same, cell by cell; confidence rounded to 2 decimals', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await exportTo('xlsx', 'b2.xlsx'));
    const ws = wb.getWorksheet('Breaks')!;
    const rowOf = (id: number): ExcelJS.Row => {
      for (let i = 2; i <= ws.rowCount; i++) if (ws.getRow(i).getCell(col('Break ID') + 1).value === id) return ws.getRow(i);
      throw new Error(`no row for break ${id}`);
    };
    const cell = (row: ExcelJS.Row, h: string): string => row.getCell(col(h) + 1).text;
    const declined = rowOf(ids.declined);
    expect([cell(declined, 'Status'), cell(declined, 'Proposal outcome'), cell(declined, 'Outcome by'), cell(declined, 'Approved by')]).toEqual([model.get(ids.declined)!.status, 'REJECTED', 'bob', '']);
    expect(cell(rowOf(ids.approved), 'Approved by')).toBe('bob');
    const confidences: number[] = [];
    for (let i = 2; i <= ws.rowCount; i++) {
      const v = ws.getRow(i).getCell(col('Confidence') + 1).value;
      if (typeof v === 'number') confidences.push(v);
    }
    expect(confidences.length).toBeGreaterThan(0);
    for (const v of confidences) expect(Math.round(v * 100) / 100).toBe(v);
  });

  it('CSV confidence has at most 2 decimals', async () => {
    const rows = parseCsv(await readFile(await exportTo('csv', 'conf.csv'), 'utf8'));
    const values = rows.slice(1).map((r) => r[col('Confidence')]!).filter((v) => v !== '');
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(v).toMatch(/^(0|1)(\.\d{1,2})?$/);
  });
});
