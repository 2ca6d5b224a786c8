import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferDefinition } from './infer.ts';
import { runAndReadBreaks } from './testing/compare-runs.ts';
import { rng } from './testing/unseen-pairs.ts';

/**
 * Inference on files that are not `recon generate` output: other names and
 * column orders, a windows-1252 semicolon file with decimal commas and
 * grouping, a composite key, a dd/mm file that cannot be told from mm/dd, and
 * column-wide patterns. Each file is built here, so what is right is known.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-infer-shapes-'));
});


function write(name: string, lines: string[], encoding: BufferEncoding = 'utf8'): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(`${lines.join('\n')}\n`, encoding));
  return path;
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);
const pad = (n: number): string => String(n).padStart(2, '0');
const shuffle = <T>(xs: T[], r: () => number): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
};

describe('inference on other shapes', () => {
  it('maps renamed, reordered columns by their values and learns a status code map', async () => {
    const r = rng(1);
    const a = ['ref_no,amount,ccy,value_date,status,note'];
    const b: string[] = [];
    const desks = ['Rates', 'Credit', 'FX Options'];
    for (let i = 0; i < 600; i++) {
      const ref = `R-${100000 + i * 7}`;
      const amount = (Math.floor(r() * 1e7) / 100).toFixed(2);
      const ccy = ['EUR', 'USD', 'GBP'][Math.floor(r() * 3)]!;
      const date = iso(new Date(Date.UTC(2024, 2, 1 + Math.floor(r() * 60))));
      const status = r() < 0.6 ? 'OPEN' : 'CLOSED';
      a.push(`${ref},${amount},${ccy},${date},${status},note ${Math.floor(r() * 1e6)}`);
      // B: other names and order, a status code, lower-case currencies, free text unrelated to A's.
      const amountB = i === 17 ? (Number(amount) + 1).toFixed(2) : amount;
      b.push(`${desks[i % 3]},${date},${ref},${amountB},${r() < 0.3 ? ccy.toLowerCase() : ccy},${status === 'OPEN' ? 'O' : 'C'},memo ${Math.floor(r() * 1e6)}`);
    }
    const aPath = write('renamed-a.csv', a);
    const bPath = write('renamed-b.csv', ['Desk,ValueDate,Deal,Amt,Currency,State,note', ...shuffle(b, r)]);
    const { definition, report } = await inferDefinition({ aPath, bPath });
    expect(definition.key).toEqual(['ref_no']);
    const byName = Object.fromEntries((definition.fields ?? []).map((f) => [f.name, f]));
    expect(byName['ref_no']?.b).toBe('Deal');
    expect(byName['amount']).toMatchObject({ b: 'Amt', type: 'decimal', scale: 2 });
    expect(byName['ccy']).toMatchObject({ b: 'Currency', case: 'upper' });
    expect(byName['value_date']).toMatchObject({ b: 'ValueDate', type: 'date' });
    expect(byName['status']).toMatchObject({ b: 'State', map: { b: { O: 'OPEN', C: 'CLOSED' } } });
    // Same name, unrelated values: not compared.
    expect(byName['note']).toBeUndefined();
    expect(report.unmatched).toEqual({ a: ['note'], b: ['Desk', 'note'] });
    const run = await runAndReadBreaks(aPath, bPath, definition);
    expect(run.breaks.map((x) => [x.key, x.field, x.diff_type])).toEqual([['R-100119', 'amount', 'MISMATCH']]);
  });

  it('reads a windows-1252 semicolon file with decimal commas, grouping and dd.mm.yyyy dates', async () => {
    const r = rng(2);
    const names = ['Société Générale', 'Müller AG', 'Øresund ApS', 'Caixa Geral'];
    const a = ['id,counterparty,notional,trade_date'];
    const b = ['Kennung;Gegenpartei;Nominal;Handelstag'];
    for (let i = 0; i < 400; i++) {
      const cents = Math.floor(r() * 1e11);
      const whole = Math.floor(cents / 100);
      const frac = pad(cents % 100);
      const day = new Date(Date.UTC(2024, 0, 1 + Math.floor(r() * 300)));
      const name = names[i % names.length]!;
      a.push(`${i + 1},"${name}",${whole}.${frac},${iso(day)}`);
      const grouped = whole.toLocaleString('de-DE');
      b.push(`${i + 1};${name};${grouped},${frac};${pad(day.getUTCDate())}.${pad(day.getUTCMonth() + 1)}.${day.getUTCFullYear()}`);
    }
    const aPath = write('euro-a.csv', a);
    const bPath = write('euro-b.csv', b, 'latin1');
    const { definition, report } = await inferDefinition({ aPath, bPath });
    expect(report.files.b.encoding.value).toBe('windows-1252');
    expect(definition.sources?.b).toMatchObject({ delimiter: ';', encoding: 'windows-1252', decimalSeparator: ',', thousandsSeparator: '.', dateFormat: '%d.%m.%Y' });
    expect(definition.key).toEqual(['id']);
    expect(definition.fields?.find((f) => f.name === 'notional')).toMatchObject({ b: 'Nominal', type: 'decimal', scale: 2 });
    const run = await runAndReadBreaks(aPath, bPath, definition);
    expect(run.summary.counts.matchedExact).toBe(400);
    expect(run.breaks).toEqual([]);
  });

  it('finds a composite key when no single column is unique', async () => {
    const r = rng(3);
    const a = ['account,isin,as_of,quantity,price'];
    const b: string[] = [];
    const accounts = Array.from({ length: 12 }, (_, i) => `ACC${100 + i}`);
    const isins = Array.from({ length: 40 }, (_, i) => `XS${String(1000000000 + i * 7919).padStart(10, '0')}`);
    let n = 0;
    for (const acc of accounts) {
      for (const isin of isins) {
        if (r() < 0.25) continue;
        const qty = 100 * (1 + Math.floor(r() * 20));
        const price = (90 + Math.floor(r() * 20) / 2).toFixed(2);
        a.push(`${acc},${isin},2024-06-28,${qty},${price}`);
        b.push(`${isin},${acc},${n === 5 ? qty + 100 : qty},${price},2024-06-28`);
        n++;
      }
    }
    const aPath = write('positions-a.csv', a);
    const bPath = write('positions-b.csv', ['security,acct,qty,px,pos_date', ...shuffle(b, r)]);
    const { definition, report } = await inferDefinition({ aPath, bPath });
    expect([...definition.key].sort()).toEqual(['account', 'isin']);
    expect(report.key.bColumns.sort()).toEqual(['acct', 'security']);
    expect(report.key.reason).toMatch(/no single column is unique/);
    const run = await runAndReadBreaks(aPath, bPath, definition);
    expect(run.breaks.map((x) => [x.field, x.diff_type])).toEqual([['quantity', 'MISMATCH']]);
  });

  it('refuses to guess dd/mm against mm/dd and says so', async () => {
    const r = rng(4);
    const a = ['trade_id,settle_date,amount'];
    const b = ['trade_id,settle_date,amount'];
    for (let i = 0; i < 300; i++) {
      // Day and month both 1..12: every value fits both formats.
      const d = new Date(Date.UTC(2024, Math.floor(r() * 12), 1 + Math.floor(r() * 12)));
      a.push(`T${i},${iso(d)},${(i * 3.5).toFixed(2)}`);
      b.push(`T${i},${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()},${(i * 3.5).toFixed(2)}`);
    }
    const aPath = write('ambiguous-a.csv', a);
    const bPath = write('ambiguous-b.csv', b);
    const { definition, report } = await inferDefinition({ aPath, bPath });
    const field = definition.fields?.find((f) => f.name === 'settle_date');
    expect(field).toMatchObject({ type: 'string', compare: false });
    expect(definition.sources?.b?.dateFormat).toBeUndefined();
    expect(report.questions).toHaveLength(1);
    const q = report.questions[0]!;
    expect(q.options).toEqual(['%d/%m/%Y', '%m/%d/%Y']);
    expect(q.message).toMatch(/cannot|Choose/);
    // The other file is evidence for a person, never applied.
    expect(q.hint).toMatch(/%d\/%m\/%Y agrees with the other file in 300 and %m\/%d\/%Y in \d+/);
    expect(report.files.b.dateFormats.find((d) => d.column === 'settle_date')?.format.confidence).toBe(0);
    // The proposal still runs: the uncompared field causes no breaks.
    const run = await runAndReadBreaks(aPath, bPath, definition);
    expect(run.breaks).toEqual([]);
  });

  it('proposes column-wide scale and day-shift rules without putting them in the definition', async () => {
    const r = rng(5);
    const a = ['deal,amount,settle'];
    const b = ['deal,amount_k,settle'];
    for (let i = 0; i < 500; i++) {
      const units = 1000 + Math.floor(r() * 1e6);
      const d = new Date(Date.UTC(2024, 4, 1 + Math.floor(r() * 40)));
      const next = new Date(d.getTime() + 86_400_000);
      a.push(`D${i},${units}.00,${iso(d)}`);
      b.push(`D${i},${(units / 1000).toFixed(3)},${iso(next)}`);
    }
    const { definition, report } = await inferDefinition({ aPath: write('rules-a.csv', a), bPath: write('rules-b.csv', b) });
    const scale = report.rules.find((x) => x.field === 'amount' && x.kind === 'scale');
    expect(scale).toMatchObject({ value: 0.001, explains: 500, columnWide: true });
    const shift = report.rules.find((x) => x.field === 'settle' && x.kind === 'day-shift');
    expect(shift).toMatchObject({ value: 1, explains: 500, columnWide: true });
    expect(JSON.stringify(definition)).not.toMatch(/0\.001|shift/);
    expect(definition.fields?.find((f) => f.name === 'amount')?.b).toBe('amount_k');
  });

  it("gives a decimal field the values' usual scale, not a few outliers' (29 notionals scaled by 0.001 do not make it scale 3)", async () => {
    const r = rng(9);
    const a = ['trade_id,notional'];
    const b = ['trade_id,notional'];
    for (let i = 0; i < 8000; i++) {
      const cents = 100_000 + Math.floor(r() * 1e9);
      const v = `${Math.floor(cents / 100)}.${pad(cents % 100)}`;
      a.push(`T${i},${v}`);
      // 29 of B's values were sent in thousands by mistake: more decimal places, far from A's.
      b.push(`T${i},${i % 275 === 7 ? (cents / 100_000).toFixed(5) : v}`);
    }
    const { definition, report } = await inferDefinition({ aPath: write('scale-a.csv', a), bPath: write('scale-b.csv', b) });
    expect(definition.fields?.find((f) => f.name === 'notional')).toMatchObject({ type: 'decimal', scale: 2 });
    const col = report.columns.b.find((c) => c.column === 'notional');
    expect(col).toMatchObject({ type: 'decimal', scale: 2 });
    expect(col?.reason).toMatch(/at most 2 decimal places, a few up to 5 \(outliers: rounded to 2 at run time/);
  });
});
