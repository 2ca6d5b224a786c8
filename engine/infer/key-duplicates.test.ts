import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferDefinition } from './infer.ts';
import { rng } from './testing/unseen-pairs.ts';

/**
 * When no column or combination is unique, the key is the candidate with the
 * fewest duplicates on both sides (single columns and combinations alike),
 * not the one whose values B holds most often; and no numeric tolerance is
 * ever proposed on an identifier-like column (a phone number, an account).
 */


function write(dir: string, name: string, header: string, rows: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [header, ...rows].join('\n') + '\n');
  return path;
}

describe('key choice when nothing is unique', () => {
  it('takes the combination with the fewest duplicates, not a much-repeated column', async () => {
    // Call records: 200 phone numbers × 25 calls; durations repeat a lot; A holds 1% of its rows twice.
    const next = rng(7);
    const rows: string[] = [];
    for (let m = 0; m < 200; m++) {
      const msisdn = `+49170${String(1_000_000 + m * 37).padStart(7, '0')}`;
      for (let c = 0; c < 25; c++) {
        const start = new Date(Date.UTC(2024, 2, 1 + c, Math.floor(next() * 24), Math.floor(next() * 60))).toISOString().slice(0, 16).replace('T', ' ');
        rows.push(`${msisdn},${start}:00,${Math.floor(next() * 3600)},${(next() * 5).toFixed(4)}`);
      }
    }
    const duplicated = rows.filter((_, i) => i % 89 === 0).slice(0, 56);
    const dir = mkdtempSync(join(tmpdir(), 'recon-infer-keydup-'));
    const header = 'msisdn,start,dur,charge';
    const aPath = write(dir, 'a.csv', header, [...rows, ...duplicated]);
    const bPath = write(dir, 'b.csv', header, rows);

    const { definition, report } = await inferDefinition({ aPath, bPath });
    expect(definition.key).toHaveLength(2);
    expect(definition.key).toContain('start');
    // Sampled whole: the 56 duplicated rows are the duplicates counted in A.
    expect(report.key.duplicatesA).toBe(56);
    expect(report.key.reason).toMatch(/not unique: \d+ duplicate keys/);
    expect(report.rules.filter((r) => r.field === 'msisdn')).toEqual([]);
  });
});

describe('tolerances on identifiers', () => {
  it('proposes none on an identifier-like number column, however small its differences', async () => {
    // Every record: a unique id, an account number and a phone number that B writes a little off, and an amount with rounding noise.
    const next = rng(3);
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 400; i++) {
      const account = 4_100_000_000 + Math.floor(next() * 800_000_000);
      const phone = 491_700_000_000 + Math.floor(next() * 90_000_000);
      const amount = 1000 + next() * 9000;
      const off = (): number => 1 + Math.floor(next() * 90);
      a.push(`T${1000 + i},${account},${phone},${amount.toFixed(2)}`);
      b.push(`T${1000 + i},${account + off()},${phone + off()},${(amount + (next() - 0.5) * 0.04).toFixed(2)}`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'recon-infer-idtol-'));
    const header = 'TradeID,settlement_account,contact,amount';
    const { report } = await inferDefinition({ aPath: write(dir, 'a.csv', header, a), bPath: write(dir, 'b.csv', header, b) });
    // The amount's noise still gets its tolerance: the rule is about identifiers, not numbers.
    expect(report.rules.filter((r) => r.kind.endsWith('tolerance')).map((r) => r.field)).toEqual(['amount']);
  });
});
