import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { breaksPageArgsSchema } from '../../contract/index.ts';
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

/** A page as the grid asks for it, validated by the contract. */
const page = (args: Record<string, unknown>, windowRows?: number) =>
  readPage(run.db, breaksPageArgsSchema.parse({ runId: 'tiny', startRow: 0, endRow: 100, ...args }), windowRows);
const ids = (p: { rows: { breakId: number }[] }): number[] => p.rows.map((r) => r.breakId);

describe('record-context columns in the grid', () => {
  it("returns each row's record fields from the side asked for, null where the break has no record on that side", async () => {
    const p = await page({ context: ['ctx:a:Currency', 'ctx:b:Book', 'ctx:b:Currency'] });
    const byId = new Map(p.rows.map((r) => [r.breakId, r.context]));
    expect(byId.get(1)).toEqual({ 'ctx:a:Currency': 'EUR', 'ctx:b:Book': 'BOOK1', 'ctx:b:Currency': 'EUR' });
    expect(byId.get(5)).toEqual({ 'ctx:a:Currency': 'GBP', 'ctx:b:Book': 'BOOK1', 'ctx:b:Currency': 'JPY' });
    expect(byId.get(6)).toEqual({ 'ctx:a:Currency': 'USD', 'ctx:b:Book': null, 'ctx:b:Currency': null });
    expect(byId.get(7)).toEqual({ 'ctx:a:Currency': null, 'ctx:b:Book': 'BOOK7', 'ctx:b:Currency': 'CHF' });
    // Without context columns, rows carry none.
    expect((await page({})).rows[0]!.context).toBeUndefined();
  });

  it('filters on a record field with a set (several values) and with a text condition, on either side', async () => {
    expect(ids(await page({ filterModel: { 'ctx:a:Currency': { filterType: 'set', values: ['EUR'] } } }))).toEqual([1, 2, 4]);
    expect(ids(await page({ filterModel: { 'ctx:a:Currency': { filterType: 'set', values: ['EUR', 'GBP'] } } }))).toEqual([1, 2, 4, 5]);
    // B's currency differs from A's for K3, and K4 has no B record.
    expect(ids(await page({ filterModel: { 'ctx:b:Currency': { filterType: 'set', values: ['JPY', null] } } }))).toEqual([5, 6]);
    expect(ids(await page({ filterModel: { 'ctx:b:Book': { filterType: 'text', type: 'contains', filter: 'book9' } } }))).toEqual([3, 8]);
    // Combined with a break column filter.
    expect(ids(await page({ filterModel: { 'ctx:a:Currency': { filterType: 'set', values: ['EUR'] }, field: { filterType: 'set', values: ['Price'] } } }))).toEqual([2, 4]);
    // A number filter on a number field compares numbers.
    expect(ids(await page({ filterModel: { 'ctx:a:Notional': { filterType: 'number', type: 'greaterThan', filter: 50 } } }))).toEqual([1, 2, 5, 6]);
  });

  it('sorts by a record field as its type (numbers as numbers), rows without a record last, in small windows too', async () => {
    const byNotional = await page({ sortModel: [{ colId: 'ctx:a:Notional', sort: 'asc' }], context: ['ctx:a:Notional'] });
    expect(byNotional.rows.map((r) => r.context?.['ctx:a:Notional'])).toEqual(['9.00', '9.00', '10.00', '55.50', '100.00', '100.00', '1000.00', null]);
    expect(ids(byNotional)).toEqual([3, 8, 4, 5, 1, 2, 6, 7]);
    const desc = await page({ sortModel: [{ colId: 'ctx:b:Book', sort: 'desc' }, { colId: 'breakId', sort: 'asc' }] });
    expect(ids(desc)).toEqual([3, 8, 7, 4, 1, 2, 5, 6]);
    // The same order read through windows of 3 rows, block by block.
    const pieces = [];
    for (let s = 0; s < 8; s += 2) pieces.push(...(await page({ startRow: s, endRow: s + 2, sortModel: [{ colId: 'ctx:a:Notional', sort: 'asc' }], context: ['ctx:a:Notional'] }, 3)).rows);
    expect(pieces).toEqual(byNotional.rows);
  });

  it('the quick filter searches the record-context columns shown, and only those', async () => {
    expect(ids(await page({ quickFilter: 'jpy' }))).toEqual([]);
    expect(ids(await page({ quickFilter: 'jpy', context: ['ctx:b:Currency'] }))).toEqual([5]);
    expect(ids(await page({ quickFilter: 'credit', context: ['ctx:a:Desk "X"'] }))).toEqual([5]);
    // Key and values are still searched.
    expect(ids(await page({ quickFilter: 'k4', context: ['ctx:b:Currency'] }))).toEqual([6]);
  });

  it('quotes any field name and refuses one the records do not have', async () => {
    const p = await page({ filterModel: { 'ctx:a:Desk "X"': { filterType: 'set', values: ['fx'] } }, context: ['ctx:a:Desk "X"'] });
    expect(ids(p)).toEqual([3, 6, 8]);
    expect(p.rows[0]!.context).toEqual({ 'ctx:a:Desk "X"': 'fx' });
    await expect(page({ context: ['ctx:a:Nope'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(page({ sortModel: [{ colId: 'ctx:b:Currency"; DROP TABLE breaks; --', sort: 'asc' }] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(page({ filterModel: { 'ctx:a:__rid': { filterType: 'set', values: ['1'] } } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await page({})).lastRow).toBe(8);
  });

  it('lists the records’ fields for the column picker, with their sides and whether they are numbers', async () => {
    const f = await readFacets(run.db);
    expect(f.recordFields).toEqual([
      { name: 'Currency', type: 'VARCHAR', numeric: false, sides: ['a', 'b'] },
      { name: 'Book', type: 'VARCHAR', numeric: false, sides: ['a', 'b'] },
      { name: 'Notional', type: 'DECIMAL(18,2)', numeric: true, sides: ['a', 'b'] },
      { name: 'Desk "X"', type: 'VARCHAR', numeric: false, sides: ['a', 'b'] },
    ]);
  });

  it('refuses context columns that are not of the form ctx:<a|b>:<field> at the contract', () => {
    expect(breaksPageArgsSchema.safeParse({ runId: 'tiny', startRow: 0, endRow: 10, context: ['ctx:c:Book'] }).success).toBe(false);
    expect(breaksPageArgsSchema.safeParse({ runId: 'tiny', startRow: 0, endRow: 10, sortModel: [{ colId: 'Book', sort: 'asc' }] }).success).toBe(false);
    expect(breaksPageArgsSchema.safeParse({ runId: 'tiny', startRow: 0, endRow: 10, filterModel: { 'ctx:a:Book': { filterType: 'number', type: 'equals', filter: 1 } } }).success).toBe(true);
  });
});
