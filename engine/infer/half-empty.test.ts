import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferDefinition } from './infer.ts';

/**
 * A general ledger's Debit and Credit columns (one of them empty on every
 * line) against a bank's one signed amount: Debit equals the amount wherever
 * it has a value, yet a definition cannot compare the pair, so infer leaves it
 * unmapped and says why, with the counts it measured.
 */

describe('a column one side leaves empty in most matched records', () => {
  it('is not mapped on the records where both have a value, and the report says why', async () => {
    const a = ['JournalID,Account,Debit,Credit,PostingDate'];
    const b = ['journal_id,account,amount,posting_date'];
    for (let i = 0; i < 300; i++) {
      const amount = ((i * 7919) % 90_000) / 100 + 100;
      const debit = i % 5 < 2; // 40% debits
      const day = String(1 + (i % 28)).padStart(2, '0');
      a.push(`J${100_000 + i},${4000 + (i % 50)},${debit ? amount.toFixed(2) : ''},${debit ? '' : amount.toFixed(2)},2024-04-${day}`);
      b.push(`J${100_000 + i},${4000 + (i % 50)},${(debit ? amount : -amount).toFixed(2)},2024-04-${day}`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'recon-infer-halfempty-'));
    writeFileSync(join(dir, 'a.csv'), a.join('\n') + '\n');
    writeFileSync(join(dir, 'b.csv'), b.join('\n') + '\n');
    const { definition, report } = await inferDefinition({ aPath: join(dir, 'a.csv'), bPath: join(dir, 'b.csv') });
    expect(definition.key).toEqual(['JournalID']);
    expect((definition.fields ?? []).map((f) => f.name)).not.toContain('Debit');
    expect(report.unmatched.b).toEqual(['amount']);
    expect(report.warnings).toContainEqual(expect.stringMatching(/^Debit ↔ amount not mapped: Debit \(A\) is empty in 180 of 300 matched records where amount \(B\) has a value/));
  });
});
