import './testing/fail-on-unhandled.ts';
import { utimes } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type BreakRow, type ContractEvent } from '../contract/index.ts';
import { openDuckDB } from '../duckdb/open.ts';
import type { Service } from './service.ts';
import { createRunFixture, serviceOn, type RunFixture } from './testing/run-fixture.ts';

let fx: RunFixture;
let service: Service;
let runId: string;
const events: ContractEvent[] = [];

beforeAll(async () => {
  fx = await createRunFixture();
  runId = fx.summary.runId;
  service = serviceOn(fx, (e) => events.push(e));
});

afterAll(async () => {
  await service.close();
  await fx.dispose();
});

const page = (args: Omit<Parameters<typeof service.invoke<'breaks.page'>>[1], 'runId'>) => service.invoke('breaks.page', { runId, ...args });
const ids = (rows: BreakRow[]): number[] => rows.map((r) => r.breakId);

describe('runs', () => {
  it('lists the completed run with its counts', async () => {
    const { runs } = await service.invoke('runs.list', {});
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ runId, status: 'COMPLETED', breaks: fx.summary.breaks.total, counts: { a: fx.summary.counts.a } });
    expect(contract['runs.list'].result.safeParse({ runs }).success).toBe(true);
  });

  it('gets the summary, the definition used and the gate', async () => {
    const got = await service.invoke('runs.get', { runId });
    expect(contract['runs.get'].result.safeParse(got).success).toBe(true);
    expect(got.summary.breaks.total).toBe(fx.summary.breaks.total);
    expect((got.definition as { name: string }).name).toBe(fx.summary.definition);
    expect(got.attribution).toMatchObject({ byReason: fx.summary.attribution.byReason, unknownRate: fx.summary.attribution.unknownRate });
    expect(got.gate).toMatchObject({ checksPassed: fx.summary.checksPassed, unknownRate: fx.summary.attribution.unknownRate, unknownRateLimit: 0.05 });
  });

  it('answers errors as data: unknown run, bad run id, unknown call', async () => {
    expect(await service.call('runs.get', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } });
    expect(await service.call('runs.get', { runId: '../../etc/passwd' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await service.call('runs.drop', {})).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await service.call('runs.get', { runId, extra: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});

describe('breaks.page', () => {
  it('pages the default order by break id, with the total as lastRow', async () => {
    const first = await page({ startRow: 0, endRow: 10 });
    expect(ids(first.rows)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first.lastRow).toBe(fx.summary.breaks.total);
    expect(contract['breaks.page'].result.safeParse(first).success).toBe(true);
    const tail = await page({ startRow: fx.summary.breaks.total - 3, endRow: fx.summary.breaks.total + 50 });
    expect(tail.rows).toHaveLength(3);
  });

  it('returns the same rows in blocks as in one page, for a sorted view too', async () => {
    for (const sortModel of [[], [{ colId: 'delta' as const, sort: 'desc' as const }], [{ colId: 'field' as const, sort: 'asc' as const }, { colId: 'key' as const, sort: 'desc' as const }]]) {
      const whole = await page({ startRow: 0, endRow: 40, sortModel });
      const blocks = [...(await page({ startRow: 0, endRow: 15, sortModel })).rows, ...(await page({ startRow: 15, endRow: 40, sortModel })).rows];
      expect(ids(blocks)).toEqual(ids(whole.rows));
    }
  });

  it('sorts by the numeric delta, blanks last', async () => {
    const { rows, lastRow } = await page({ startRow: 0, endRow: 1000, sortModel: [{ colId: 'delta', sort: 'desc' }] });
    expect(lastRow).toBe(fx.summary.breaks.total);
    const deltas = rows.map((r) => (r.delta === null ? null : Number(r.delta)));
    const numbers = deltas.filter((d): d is number => d !== null);
    expect(numbers).toEqual([...numbers].sort((x, y) => y - x));
    expect(deltas.slice(numbers.length).every((d) => d === null)).toBe(true);
  });

  it('filters by a set of fields, text and numbers, and counts the view', async () => {
    const notional = fx.summary.breaks.byField['Notional']!;
    const byField = await page({ startRow: 0, endRow: 1000, filterModel: { field: { filterType: 'set', values: ['Notional'] } } });
    expect(byField.lastRow).toBe(notional);
    expect(byField.rows.every((r) => r.field === 'Notional')).toBe(true);

    const key = byField.rows[0]!.key;
    const byText = await page({ startRow: 0, endRow: 100, filterModel: { key: { filterType: 'text', type: 'contains', filter: key.slice(2).toLowerCase() } } });
    expect(byText.rows.every((r) => r.key.includes(key.slice(2)))).toBe(true);
    expect(ids(byText.rows)).toContain(byField.rows[0]!.breakId);

    const big = await page({
      startRow: 0,
      endRow: 1000,
      filterModel: {
        field: { filterType: 'set', values: ['Notional'] },
        delta: { filterType: 'number', operator: 'OR', conditions: [{ filterType: 'number', type: 'greaterThan', filter: 100 }, { filterType: 'number', type: 'lessThan', filter: -100 }] },
      },
    });
    expect(big.rows.length).toBeGreaterThan(0);
    expect(big.rows.every((r) => Math.abs(Number(r.delta)) > 100)).toBe(true);

    const quick = await page({ startRow: 0, endRow: 100, quickFilter: key });
    expect(quick.rows.every((r) => r.key === key || (r.valueA ?? '').includes(key) || (r.valueB ?? '').includes(key))).toBe(true);
  });

  it('treats SQL-looking filter values as data', async () => {
    const attacks = ["x' OR '1'='1", "'; DROP TABLE breaks; --", '%', '_', '\\', '"; SELECT 1; --', "T' || (SELECT count(*) FROM a) || '"];
    for (const value of attacks) {
      const text = await page({ startRow: 0, endRow: 100, filterModel: { key: { filterType: 'text', type: 'contains', filter: value } } });
      expect(text.rows).toEqual([]);
      const set = await page({ startRow: 0, endRow: 100, filterModel: { diffType: { filterType: 'set', values: [value] } } });
      expect(set.lastRow).toBe(0);
      const quick = await page({ startRow: 0, endRow: 100, quickFilter: value });
      expect(quick.lastRow).toBe(0);
    }
    // The table is still there, whole.
    expect((await page({ startRow: 0, endRow: 1 })).lastRow).toBe(fx.summary.breaks.total);
  });

  it('refuses columns outside the allowlist and oversized pages', async () => {
    expect(await service.call('breaks.page', { runId, startRow: 0, endRow: 10, sortModel: [{ colId: 'break_id; DROP TABLE breaks', sort: 'asc' }] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await service.call('breaks.page', { runId, startRow: 0, endRow: 10, filterModel: { rid_a: { filterType: 'text', type: 'equals', filter: '1' } } })).toMatchObject({
      ok: false,
    });
    expect(await service.call('breaks.page', { runId, startRow: 0, endRow: 5000 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});

describe('breaks.facets and breaks.detail', () => {
  it('counts distinct fields and diff types', async () => {
    const f = await service.invoke('breaks.facets', { runId });
    expect(f.total).toBe(fx.summary.breaks.total);
    expect(f.hasAttributions).toBe(true);
    expect(Object.fromEntries(f.reasons.map((x) => [x.value, x.count]))).toEqual(fx.summary.attribution.byReason);
    expect(Object.fromEntries(f.fields.map((x) => [x.value, x.count]))).toEqual(fx.summary.breaks.byField);
    expect(Object.fromEntries(f.diffTypes.map((x) => [x.value, x.count]))).toEqual(fx.summary.breaks.byType);
  });

  it('shows both whole records of a mismatch, the breaking field marked', async () => {
    const { rows } = await page({ startRow: 0, endRow: 5, filterModel: { diffType: { filterType: 'set', values: ['MISMATCH'] } } });
    const brk = rows[0]!;
    const d = await service.invoke('breaks.detail', { runId, breakId: brk.breakId });
    expect(contract['breaks.detail'].result.safeParse(d).success).toBe(true);
    const field = d.fields.find((f) => f.name === brk.field)!;
    expect(field).toMatchObject({ differs: true, a: brk.valueA, b: brk.valueB, breakId: brk.breakId });
    expect(d.fields.find((f) => f.name === 'TradeID')).toMatchObject({ isKey: true, a: brk.key, differs: false });
    expect(d.related.map((r) => r.breakId)).toContain(brk.breakId);
    expect(d.a?.rid).toBe(brk.ridA);
  });

  it('shows no B record for a break missing in B', async () => {
    const { rows } = await page({ startRow: 0, endRow: 1, filterModel: { diffType: { filterType: 'set', values: ['MISSING_IN_B'] } } });
    const d = await service.invoke('breaks.detail', { runId, breakId: rows[0]!.breakId });
    expect(d.b).toBeNull();
    expect(d.a).not.toBeNull();
    expect(d.fields.every((f) => f.b === null && !f.differs)).toBe(true);
    expect(await service.call('breaks.detail', { runId, breakId: 10_000_000 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('attributions', () => {
  it('joins the attributions table, and sees it change when the run file changes (reopening it)', async () => {
    await service.releaseRun(runId);
    const db = await openDuckDB({ path: fx.summary.database });
    await db.connection.run(`CREATE OR REPLACE TABLE attributions AS
      SELECT break_id, CASE WHEN break_id % 2 = 0 THEN 'ROUNDING_DIFF' ELSE 'UNKNOWN' END AS reason,
             CASE WHEN break_id % 2 = 0 THEN 0.95 ELSE 0.4 END AS confidence,
             CASE WHEN break_id % 2 = 0 THEN 'AUTO' ELSE 'REVIEW' END AS status,
             'ROUNDING_DIFF' AS suggested_reason, '[{"feature":"abs_delta","weight":0.5}]'::JSON AS top_features FROM breaks`);
    db.close();
    await utimes(fx.summary.database, new Date(), new Date(Date.now() + 5000));

    const first = await page({ startRow: 0, endRow: 4 });
    expect(first.rows.map((r) => r.status)).toEqual(['REVIEW', 'AUTO', 'REVIEW', 'AUTO']);
    const review = await page({ startRow: 0, endRow: 1000, filterModel: { status: { filterType: 'set', values: ['REVIEW'] } }, sortModel: [{ colId: 'confidence', sort: 'asc' }] });
    expect(review.lastRow).toBe(Math.ceil(fx.summary.breaks.total / 2));
    expect(review.rows.every((r) => r.reason === 'UNKNOWN' && r.confidence === 0.4)).toBe(true);
    const facets = await service.invoke('breaks.facets', { runId });
    expect(facets.reasons.map((r) => r.value).sort()).toEqual(['ROUNDING_DIFF', 'UNKNOWN']);
    const detail = await service.invoke('breaks.detail', { runId, breakId: 2 });
    expect(detail.topFeatures).toEqual([{ feature: 'abs_delta', weight: 0.5 }]);
    const got = await service.invoke('runs.get', { runId });
    expect(got.attribution?.unknownRate).toBeCloseTo(Math.ceil(fx.summary.breaks.total / 2) / fx.summary.breaks.total);
    expect(got.gate.passed).toBe(false);
  });
});

describe('files and definitions', () => {
  it('previews the first rows of a file with a sniffed delimiter', async () => {
    const p = await service.invoke('files.preview', { path: fx.gen.bPath, side: 'b', limit: 5 });
    expect(p.delimiter).toBe(';');
    expect(p.columns[0]).toBe('trade_ref');
    expect(p.rows).toHaveLength(5);
    expect(p.rows[0]).toHaveLength(p.columns.length);
    expect(await service.call('files.preview', { path: `${fx.dir}/missing.csv` })).toMatchObject({ ok: false, error: { code: 'INPUT_NOT_FOUND' } });
  });

  it('saves, lists and reads definitions in the workspace store, a new version per change; refuses invalid ones', async () => {
    const definition = { name: 'Trades vs custodian', key: ['TradeID'], fields: [{ name: 'TradeID', b: 'trade_ref' }] };
    const saved = await service.invoke('definitions.save', { definition });
    expect(saved).toEqual({ name: 'Trades vs custodian', version: 1 });
    expect(await service.invoke('definitions.save', { definition })).toEqual(saved);
    expect(await service.invoke('definitions.save', { definition: { ...definition, description: 'matched on the trade reference' } })).toEqual({ name: 'Trades vs custodian', version: 2 });
    expect(await service.call('definitions.save', { definition, overwrite: false })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect((await service.invoke('definitions.list', {})).definitions).toContainEqual(expect.objectContaining({ name: 'Trades vs custodian', version: 2 }));
    const got = await service.invoke('definitions.get', { name: 'Trades vs custodian', version: 1 });
    expect(got).toMatchObject({ name: 'Trades vs custodian', version: 1, definition: { name: 'Trades vs custodian', key: ['TradeID'] } });
    expect(contract['definitions.get'].result.safeParse(got).success).toBe(true);
    expect(await service.call('definitions.save', { definition: { name: 'x', key: [] } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await service.call('definitions.get', { name: '../secrets' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await service.call('definitions.get', { file: 'trades' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});

describe('runs.start', () => {
  const waitFinished = async (id: string): Promise<ContractEvent> => {
    for (let i = 0; i < 600; i++) {
      const e = events.find((x) => x.type === 'run.finished' && x.runId === id);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${id} did not finish`);
  };
  const definition = async () => JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(fx.gen.definitionPath, 'utf8'))) as { name: string };

  it('runs on a worker, with progress events, and lists the run once done', async () => {
    const { runId: started } = await service.invoke('runs.start', { aPath: fx.gen.aPath, bPath: fx.gen.bPath, definition: (await definition()) as never });
    const listed = (await service.invoke('runs.list', {})).runs.find((r) => r.runId === started);
    expect(listed?.status === 'RUNNING' || listed?.status === 'COMPLETED').toBe(true);
    expect(await waitFinished(started)).toMatchObject({ status: 'COMPLETED', error: null });
    expect(events.some((e) => e.type === 'run.progress' && e.runId === started)).toBe(true);
    expect((await service.invoke('runs.list', {})).runs.find((r) => r.runId === started)?.status).toBe('COMPLETED');
  });

  it('refuses a missing file at once, and reports a cancelled run', async () => {
    expect(await service.call('runs.start', { aPath: `${fx.dir}/nope.csv`, bPath: fx.gen.bPath, definition: await definition() })).toMatchObject({
      ok: false,
      error: { code: 'INPUT_NOT_FOUND' },
    });
    const { runId: started } = await service.invoke('runs.start', { aPath: fx.gen.aPath, bPath: fx.gen.bPath, definition: (await definition()) as never });
    expect(await service.invoke('runs.cancel', { runId: started })).toEqual({ cancelled: true });
    expect(await waitFinished(started)).toMatchObject({ status: 'CANCELLED', error: { code: 'RUN_CANCELLED' } });
    expect((await service.invoke('runs.list', {})).runs.find((r) => r.runId === started)?.status).toBe('CANCELLED');
    expect(await service.invoke('runs.cancel', { runId: started })).toEqual({ cancelled: false });
  });
});
