/**
 * breaks.detail and breaks.largest on a real run: every row of a duplicated
 * key on both sides with its file line, a rejected counterpart with its raw
 * values and reason, file lines (not record positions) after a multi-line
 * record, and the largest differences grouped by the records' currency.
 */
import './testing/fail-on-unhandled.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type BreakRow } from '../contract/index.ts';
import { definitionSchema } from '../definition/schema.ts';
import { generateExtracts, type GenerateResult } from '../generate/generate-extracts.ts';
import { runRecon, type RunSummary } from '../run/run-recon.ts';
import { openStore, type Store } from '../store/open.ts';
import type { Service } from './service.ts';
import { registerCompletedRun } from './testing/register-run.ts';
import { createService } from './service.ts';

let dir: string;
let gen: GenerateResult;
let summary: RunSummary;
let store: Store;
let service: Service;
let runId: string;
let aText: string;
let bText: string;
const REJECTED_KEY = 'T00000050';

/** The 1-based physical lines where records of `key` start. */
function linesOf(text: string, key: string, delimiter: string): number[] {
  return text.split('\n').flatMap((l, i) => (l.split(delimiter)[0] === key ? [i + 1] : []));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-detail-'));
  gen = await generateExtracts({ rows: 1500, outDir: join(dir, 'data'), seed: 13 });
  const a = (await readFile(gen.aPath, 'utf8')).split('\n');
  // The first record spans two lines: later records are one line further down than their position says.
  a[1] = a[1]!.replace('INITECH INTERNATIONAL', '"INITECH\nINTERNATIONAL"');
  aText = a.join('\n');
  await writeFile(gen.aPath, aText);
  const b = (await readFile(gen.bPath, 'utf8')).split('\n');
  const r = b.findIndex((l) => l.startsWith(`${REJECTED_KEY};`));
  const p = b[r]!.split(';');
  p[6] = '12x';
  b[r] = p.join(';');
  bText = b.join('\n');
  await writeFile(gen.bPath, bText);
  const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  const workspace = join(dir, 'workspace');
  summary = await runRecon({ aPath: gen.aPath, bPath: gen.bPath, definition, workspace });
  runId = summary.runId;
  store = openStore(workspace);
  registerCompletedRun(store, workspace, summary);
  service = createService({ workspace, host: 'test', version: '9.9.9', store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => undefined });
});

afterAll(async () => {
  await service?.close();
  store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const rowsOf = async (diffType: string): Promise<BreakRow[]> =>
  (await service.invoke('breaks.page', { runId, startRow: 0, endRow: 1000, filterModel: { diffType: { filterType: 'set', values: [diffType] } } })).rows;

describe('breaks.detail', () => {
  it('shows every row of a key duplicated in B, on both sides, each at its file line', async () => {
    const dups = await rowsOf('DUPLICATE_KEY');
    const key = dups.find((r) => r.side === 'b' && linesOf(bText, r.key, ';').length === 2 && linesOf(aText, r.key, ',').length === 1)!.key;
    const brk = dups.find((r) => r.key === key && r.side === 'b')!;
    const d = await service.invoke('breaks.detail', { runId, breakId: brk.breakId });
    expect(contract['breaks.detail'].result.safeParse(d).success).toBe(true);
    expect(d.records.map((r) => [r.side, r.line, r.lineLabel])).toEqual([
      ['a', linesOf(aText, key, ',')[0], 'line'],
      ...linesOf(bText, key, ';').map((l) => ['b', l, 'line']),
    ]);
    // The break's own row is marked; the values are the record's.
    expect(d.records.filter((r) => r.current).map((r) => r.rid)).toEqual([brk.ridB]);
    const tradeId = d.fields.findIndex((f) => f.name === 'TradeID');
    expect(d.records.every((r) => r.values[tradeId] === key)).toBe(true);
  });

  it('shows a rejected counterpart with its raw values, line and reason', async () => {
    const [brk] = await rowsOf('REJECTED_IN_B');
    expect(brk?.key).toBe(REJECTED_KEY);
    const d = await service.invoke('breaks.detail', { runId, breakId: brk!.breakId });
    expect(contract['breaks.detail'].result.safeParse(d).success).toBe(true);
    const [ra, rb] = d.records;
    expect(ra).toMatchObject({ side: 'a', line: linesOf(aText, REJECTED_KEY, ',')[0], rejected: false, problems: [] });
    expect(rb).toMatchObject({ side: 'b', line: linesOf(bText, REJECTED_KEY, ';')[0], rejected: true });
    const qty = d.fields.findIndex((f) => f.name === 'Quantity');
    expect(rb!.values[qty]).toBe('12x');
    expect(rb!.problems).toEqual([{ column: 'qty', field: 'Quantity', rawValue: '12x', reason: expect.stringContaining('expected a whole number') }]);
  });

  it('gives file lines for a mismatch and no B row for a break missing in B', async () => {
    const [mismatch] = (await rowsOf('MISMATCH')).filter((r) => r.key !== 'T00000001');
    const d = await service.invoke('breaks.detail', { runId, breakId: mismatch!.breakId });
    expect(d.records.map((r) => [r.side, r.line, r.current])).toEqual([
      ['a', linesOf(aText, mismatch!.key, ',')[0], true],
      ['b', linesOf(bText, mismatch!.key, ';')[0], true],
    ]);
    const [missing] = await rowsOf('MISSING_IN_B');
    const m = await service.invoke('breaks.detail', { runId, breakId: missing!.breakId });
    expect(m.records.map((r) => r.side)).toEqual(['a']);
    expect(m.b).toBeNull();
  });
});

describe('breaks.largest', () => {
  it('groups the largest differences by the records’ currency', async () => {
    const currencyOf = new Map(aText.split('\n').flatMap((l) => (/^T\d+,/.test(l) ? [[l.split(',')[0]!, l.split(',').at(-2)!] as [string, string]] : [])));
    const got = await service.invoke('breaks.largest', { runId });
    expect(contract['breaks.largest'].result.safeParse(got).success).toBe(true);
    expect(got.currencyField).toBe('Currency');
    expect(got.groups.length).toBeGreaterThan(1);
    expect(new Set(got.groups.map((g) => g.currency)).size).toBe(got.groups.length);
    for (const g of got.groups) {
      expect(g.top.length).toBeGreaterThan(0);
      const abs = g.top.map((t) => Math.abs(Number(t.delta)));
      expect([...abs].sort((x, y) => y - x)).toEqual(abs);
      for (const t of g.top) expect(currencyOf.get(t.key)).toBe(g.currency);
    }
  });
});
