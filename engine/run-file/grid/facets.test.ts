import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { breaksPageArgsSchema, contract } from '../../contract/index.ts';
import { readFacets } from './facets.ts';
import { readPage } from './pager.ts';
import { createTinyRun, type TinyRun } from '../testing/tiny-run.ts';

let run: TinyRun;
beforeEach(async () => {
  run = await createTinyRun();
});
afterEach(async () => {
  await run.dispose();
});

/** breaks.facets as the grid calls it, validated by the contract. */
const facets = (args: Record<string, unknown>) => {
  const parsed = contract['breaks.facets'].args.parse({ runId: 'tiny', ...args });
  return readFacets(run.db, { filterModel: parsed.filterModel, context: parsed.context, ...(parsed.quickFilter !== undefined ? { quickFilter: parsed.quickFilter } : {}) });
};
const counts = (f: { value: string | null; count: number }[]): Record<string, number> => Object.fromEntries(f.map((x) => [x.value ?? '(none)', x.count]));

describe('facets: several values, counts that follow the other filters', () => {
  it('a facet with several values keeps the breaks having any of them', async () => {
    const p = await readPage(run.db, breaksPageArgsSchema.parse({ runId: 'tiny', startRow: 0, endRow: 100, filterModel: { field: { filterType: 'set', values: ['Price', 'Book'] }, reason: { filterType: 'set', values: ['ROUNDING', 'STATIC', 'FX'] } } }));
    expect(p.rows.map((r) => r.breakId)).toEqual([2, 4, 8]);
    expect(p.lastRow).toBe(3);
  });

  it("unfiltered, every facet counts every break", async () => {
    const f = await facets({});
    expect(counts(f.fields)).toEqual({ Notional: 3, Price: 2, '*': 2, Book: 1 });
    expect(counts(f.reasons)).toEqual({ UNKNOWN: 3, ROUNDING: 2, FX: 2, STATIC: 1 });
  });

  it("each facet counts the breaks that pass the other facets' filters, not its own", async () => {
    const f = await facets({ filterModel: { field: { filterType: 'set', values: ['Notional', 'Price'] }, status: { filterType: 'set', values: ['AUTO'] } } });
    // Field ignores its own pick: every field's AUTO breaks.
    expect(counts(f.fields)).toEqual({ Notional: 2, Price: 1, Book: 1 });
    // Status ignores its own pick: Notional and Price breaks by status.
    expect(counts(f.statuses)).toEqual({ AUTO: 3, REVIEW: 2 });
    // The others follow both picks.
    expect(counts(f.reasons)).toEqual({ ROUNDING: 2, FX: 1 });
    expect(counts(f.diffTypes)).toEqual({ MISMATCH: 3 });
    expect(f.total).toBe(8);
  });

  it('the counts follow the quick filter and column filters, record-context ones included', async () => {
    const quick = await facets({ quickFilter: 'k0' });
    expect(counts(quick.fields)).toEqual({ Notional: 1, Price: 1 });
    const ccy = await facets({ filterModel: { 'ctx:a:Currency': { filterType: 'set', values: ['USD'] } } });
    expect(counts(ccy.fields)).toEqual({ Notional: 1, Book: 1, '*': 1 });
    expect(counts(ccy.statuses)).toEqual({ AUTO: 2, REVIEW: 1 });
    const quickCtx = await facets({ quickFilter: 'jpy', context: ['ctx:b:Currency'] });
    expect(counts(quickCtx.reasons)).toEqual({ UNKNOWN: 1 });
    const delta = await facets({ filterModel: { delta: { filterType: 'number', type: 'greaterThan', filter: 0.2 } } });
    expect(counts(delta.diffTypes)).toEqual({ MISMATCH: 3 });
  });

  it('decided statuses count as decided under filters too', async () => {
    await run.db.replaceOverlay([{ break_id: 3, status: 'ACCEPTED', reason: 'FX' }], 'x');
    const f = await facets({ filterModel: { field: { filterType: 'set', values: ['Notional'] } } });
    expect(counts(f.statuses)).toEqual({ AUTO: 1, ACCEPTED: 1, REVIEW: 1 });
    const accepted = await facets({ filterModel: { status: { filterType: 'set', values: ['ACCEPTED'] } } });
    expect(counts(accepted.fields)).toEqual({ Notional: 1 });
  });
});
