/**
 * Issue 17: a number in a grid filter that the database cannot take (at or
 * beyond ±2^63, not finite, a decimal wider than the filter's DECIMAL) is
 * INVALID_ARGUMENT naming the filter, never INTERNAL_ERROR from inside DuckDB.
 * On real run files: a keyed run (the breaks grid) and a matching run (the
 * matching view's amount filters), through the service as the UI calls them,
 * and the grid's SQL builder also when a caller skips the contract.
 */
import './testing/fail-on-unhandled.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallArgs, ParsedArgs } from '../contract/index.ts';
import { definitionSchema } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import { generateCash } from '../generate/cash/generate-cash.ts';
import { RunFileCache } from '../run-file/cache.ts';
import { readPage } from '../run-file/grid/pager.ts';
import { runRecon, type RunSummary } from '../run/run-recon.ts';
import { openStore, type Store } from '../store/open.ts';
import type { Service } from './service.ts';
import { createService } from './service.ts';
import { registerCompletedRun } from './testing/register-run.ts';
import { createRunFixture, serviceOn, type RunFixture } from './testing/run-fixture.ts';

const invalid = { ok: false, error: { code: 'INVALID_ARGUMENT' } };

describe('number filters of the breaks grid', () => {
  let fx: RunFixture;
  let service: Service;
  let cache: RunFileCache;
  beforeAll(async () => {
    fx = await createRunFixture(400, 9);
    service = serviceOn(fx);
    cache = new RunFileCache((id) => join(fx.workspace, 'runs', `${id}.duckdb`), fx.workspace);
  });
  afterAll(async () => {
    await cache?.closeAll();
    await service?.close();
    await fx?.dispose();
  });

  const NUMBER_COLUMNS = ['breakId', 'delta', 'confidence', 'ratio', 'ageRuns', 'ageDays', 'pastSla', 'ctx:a:Notional', 'ctx:b:Quantity'];
  // Hostile filters on purpose: typed as the call's arguments only so the typed entry takes the valid ones too.
  const page = (column: string, filter: Record<string, unknown>) =>
    ({
      runId: fx.summary.runId,
      startRow: 0,
      endRow: 50,
      filterModel: { [column]: { filterType: 'number', ...filter } },
      ...(column.startsWith('ctx:') ? { context: [column] } : {}),
    }) as unknown as CallArgs<'breaks.page'>;

  it('refuses numbers at or beyond ±2^63 and non-finite ones as INVALID_ARGUMENT, on every number column', async () => {
    for (const column of NUMBER_COLUMNS) {
      for (const bad of [2 ** 63, 1e19, 1e308, -(2 ** 63) * 2, -1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        for (const filter of [{ type: 'equals', filter: bad }, { type: 'inRange', filter: 0, filterTo: bad }, { type: 'greaterThan', filter: bad }]) {
          expect(await service.call('breaks.page', page(column, filter)), `${column} ${JSON.stringify(filter)} ${bad}`).toMatchObject(invalid);
          expect(await service.call('breaks.facets', { runId: fx.summary.runId, filterModel: page(column, filter).filterModel })).toMatchObject(invalid);
        }
      }
    }
  });

  it('takes every number the database can: -2^63, the largest below 2^63, fractions', async () => {
    for (const column of NUMBER_COLUMNS) {
      for (const ok of [-(2 ** 63), 2 ** 63 - 1024, -1e18, 0.5, -0, 5e-324]) {
        const r = await service.call('breaks.page', page(column, { type: 'lessThan', filter: ok }));
        expect(r, `${column} < ${ok}`).toMatchObject({ ok: true });
      }
    }
    // Everything is below the largest number, nothing below the smallest.
    const all = await service.invoke('breaks.page', page('breakId', { type: 'lessThan', filter: 2 ** 63 - 1024 }));
    expect(all.lastRow).toBe(fx.summary.breaks.total);
    expect((await service.invoke('breaks.page', page('breakId', { type: 'lessThan', filter: -(2 ** 63) }))).lastRow).toBe(0);
  });

  it('refuses them in the SQL builder too, when a caller skips the contract (a bench, a script)', async () => {
    const db = await cache.get(fx.summary.runId);
    for (const bad of [2 ** 63, -1e300, Number.NaN, Number.POSITIVE_INFINITY]) {
      const args = { runId: fx.summary.runId, startRow: 0, endRow: 10, sortModel: [], context: [], filterModel: { delta: { filterType: 'number', type: 'equals', filter: bad } } } as unknown as ParsedArgs<'breaks.page'>;
      const err = await readPage(db, args).catch((e: unknown) => e);
      expect(err, String(bad)).toBeInstanceOf(ReconError);
      expect((err as ReconError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('amount filters of the matching view', () => {
  let dir: string;
  let store: Store;
  let service: Service;
  let summary: RunSummary;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recon-filter-numbers-'));
    const workspace = join(dir, 'workspace');
    const gen = await generateCash({ rows: 120, outDir: join(dir, 'cash'), seed: 8 });
    const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
    summary = await runRecon({ aPath: gen.ledgerPath, bPath: gen.bankPath, definition, workspace });
    store = openStore(workspace);
    registerCompletedRun(store, workspace, summary);
    service = createService({ workspace, host: 'test', version: '0', store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => undefined });
  });
  afterAll(async () => {
    await service?.close();
    store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const calls = (filter: Record<string, string>) => [
    service.call('matching.groups', { runId: summary.runId, filter }),
    service.call('matching.unmatched', { runId: summary.runId, side: 'a', filter }),
    service.call('matching.unmatched', { runId: summary.runId, side: 'b', filter }),
  ];

  it('refuses an amount wider than DECIMAL(38, 6) takes (more than 32 digits before the point) as INVALID_ARGUMENT', async () => {
    for (const key of ['amountMin', 'amountMax']) {
      for (const bad of ['1' + '0'.repeat(32), '9'.repeat(40), '9'.repeat(33) + '.5']) {
        for (const r of await Promise.all(calls({ [key]: bad }))) {
          expect(r, `${key} ${bad}`).toMatchObject(invalid);
          expect(JSON.stringify(r)).toContain(key);
        }
      }
    }
  });

  it('takes every amount that fits: 32 digits, leading zeros, more than six decimals', async () => {
    const all = await service.invoke('matching.groups', { runId: summary.runId, filter: {} });
    for (const ok of ['9'.repeat(32), '0'.repeat(40) + '1', '0.0000001', '1.' + '1'.repeat(40)]) {
      for (const r of await Promise.all(calls({ amountMax: ok }))) expect(r, ok).toMatchObject({ ok: true });
    }
    expect((await service.invoke('matching.groups', { runId: summary.runId, filter: { amountMax: '9'.repeat(32) } })).total).toBe(all.total);
    expect((await service.invoke('matching.groups', { runId: summary.runId, filter: { amountMin: '0'.repeat(40) + '1' } })).total).toBeLessThanOrEqual(all.total);
    expect((await service.invoke('matching.groups', { runId: summary.runId, filter: { amountMin: '9'.repeat(32) } })).total).toBe(0);
  });
});
