import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDefinition } from '../definition/load.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { runRecon } from './run-recon.ts';

/**
 * A field may be called anything a file's header holds, including the names
 * the engine's SQL uses for its own steps (r0, s1, t2, v3, a0, m0, key…):
 * every field's difference is still found, and nothing else differs.
 */
const root = mkdtempSync(join(tmpdir(), 'recon-names-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

// Names the staging, diff, checks and attribution SQL use as aliases or columns.
const HOSTILE = ['r0', 's1', 't2', 'v3', 'u4', 'k5', 'a0', 'b0', 'm0', 'x0', 'w0', 'd', 'l', 'e0', 'key', 'field', 'side', 'ord', 'rid', 'rid_a', 'rid_b', 'diffs', 'delta', 'value_a', 'n', 'ccy', 'expected', 'actual', 'link', 'break_id', 'diff_type', 'field_type'];
const TYPES = ['string', 'integer', 'decimal', 'date'] as const;
const value = (type: (typeof TYPES)[number], i: number, other: boolean): string =>
  type === 'string' ? (other ? `Y${i}` : `X${i}`) : type === 'integer' ? String(i + (other ? 100 : 0)) : type === 'decimal' ? `${i}.${other ? '75' : '25'}` : `2026-01-${String((i % 27) + 1 + (other ? 1 : 0)).padStart(2, '0')}`;

async function recon(names: string[], keyName: string, more: Record<string, object> = {}): Promise<{ byField: Record<string, number>; breaks: { key: string; field: string }[] }> {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  const typeOf = (i: number): (typeof TYPES)[number] => TYPES[i % TYPES.length]!;
  const row = (id: string, other: boolean): string => [id, ...names.map((_, i) => value(typeOf(i), i, other))].join(',');
  // K1 agrees everywhere; K2 differs in every field.
  writeFileSync(join(dir, 'a.csv'), `${[keyName, ...names].join(',')}\n${row('K1', false)}\n${row('K2', false)}\n`);
  writeFileSync(join(dir, 'b.csv'), `${[keyName, ...names].join(',')}\n${row('K1', false)}\n${row('K2', true)}\n`);
  const definition = validateDefinition({
    name: 'names',
    key: [keyName],
    fields: [{ name: keyName }, ...names.map((name, i) => ({ name, type: typeOf(i), ...(typeOf(i) === 'decimal' ? { scale: 2 } : {}), ...more[name] }))],
  } as DefinitionInput);
  const summary = await runRecon({ aPath: join(dir, 'a.csv'), bPath: join(dir, 'b.csv'), definition, workspace: join(dir, 'ws') });
  const db = await openDuckDB({ path: summary.database });
  try {
    const breaks = await queryRows<{ key: string; field: string }>(db.connection, 'SELECT key, field FROM breaks ORDER BY break_id');
    return { byField: summary.breaks.byField, breaks };
  } finally {
    db.close();
  }
}

describe('field names', () => {
  it('finds every difference whatever the fields are called', async () => {
    const { byField, breaks } = await recon(HOSTILE, 'id');
    expect(byField).toEqual(Object.fromEntries(HOSTILE.map((f) => [f, 1])));
    expect(breaks.every((b) => b.key === 'K2')).toBe(true);
  });

  it('keys named like the engine’s own aliases work too', async () => {
    const { byField } = await recon(['amount', 'r1', 't0'], 'r0');
    expect(byField).toEqual({ amount: 1, r1: 1, t0: 1 });
  });

  it('with an adjust rule on a field named like an alias', async () => {
    // The adjusted fields are cast into an intermediate column first (normalize/stage.ts).
    const { byField } = await recon(['v0', 'v1', 'v2', 'v3'], 'id', { v2: { adjust: { b: { multiply: '1' } } }, v3: { adjust: { a: { shiftBusinessDays: 0 } } } });
    expect(byField).toEqual({ v0: 1, v1: 1, v2: 1, v3: 1 });
  });

  it('keeps control totals by field and currency whatever they contain (underscores included)', async () => {
    const dir = join(root, `case-${++n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.csv'), 'id,net_amt_x,ccy\nK1,1.50,EUR_2\nK2,2.00,USD\n');
    writeFileSync(join(dir, 'b.csv'), 'id,net_amt_x,ccy\nK1,1.75,EUR_2\nK2,2.00,USD\n');
    const definition = validateDefinition({ name: 'totals', key: ['id'], currencyField: 'ccy', fields: [{ name: 'id' }, { name: 'net_amt_x', type: 'decimal', scale: 2 }, { name: 'ccy' }] });
    const summary = await runRecon({ aPath: join(dir, 'a.csv'), bPath: join(dir, 'b.csv'), definition, workspace: join(dir, 'ws') });
    expect(summary.controlTotals).toEqual([
      { field: 'net_amt_x', currency: 'EUR_2', a: '1.50', b: '1.75', difference: '0.25' },
      { field: 'net_amt_x', currency: 'USD', a: '2.00', b: '2.00', difference: '0.00' },
    ]);
  });

  it('refuses a field name starting with "__", kept for the engine’s own columns', () => {
    let err: unknown;
    try {
      validateDefinition({ name: 'x', key: ['id'], fields: [{ name: 'id' }, { name: '__bad' }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReconError);
    expect((err as ReconError).code).toBe('DEFINITION_INVALID');
    expect((err as ReconError).message).toMatch(/fields\[1\]\.name|fields\.1\.name/);
    expect((err as ReconError).message).toContain('__');
  });
});
