import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferDefinition } from './infer.ts';
import { runAndReadBreaks } from './testing/compare-runs.ts';
import { accountBalances, duplicatedRefTrades, portfolioPositions, type KeyPair } from './testing/key-pairs.ts';

/**
 * A key is made of identifier-like columns (codes, references, dates, short
 * categories), never of compared values (amounts, quantities, free text),
 * whatever the columns are called: a key holding a value turns every
 * difference in it into MISSING_IN_A + MISSING_IN_B instead of a MISMATCH.
 * When no identifier-like key is unique, the best one is used and its
 * duplicates are reported.
 */

const dir = (name: string): string => mkdtempSync(join(tmpdir(), `recon-infer-keyparts-${name}-`));

/** Infers a definition and runs it: the key is the pair's, and the planted differences are MISMATCHes of their field. */
async function inferAndRun(pair: KeyPair): Promise<Awaited<ReturnType<typeof inferDefinition>> & { breaks: Awaited<ReturnType<typeof runAndReadBreaks>>['breaks'] }> {
  const inferred = await inferDefinition({ aPath: pair.aPath, bPath: pair.bPath });
  expect([...inferred.definition.key].sort()).toEqual([...pair.key].sort());
  const { breaks } = await runAndReadBreaks(pair.aPath, pair.bPath, inferred.definition);
  expect(breaks.filter((b) => b.diff_type.startsWith('MISSING_IN'))).toEqual([]);
  // A composite key's parts in any order: the inferred key may list them otherwise than the pair.
  const parts = (key: string): string => key.split('|').sort().join('|');
  const mismatched = breaks.filter((b) => b.diff_type === 'MISMATCH' && b.field === pair.field).map((b) => parts(b.key));
  expect(new Set(mismatched)).toEqual(new Set(pair.changed.map(parts)));
  return { ...inferred, breaks };
}

describe('key parts are identifiers, never compared values', () => {
  it.each([
    { notional: 'whole', comment: false, seed: 1 },
    { notional: 'whole', comment: true, seed: 2 },
    { notional: 'decimal', comment: true, seed: 3 },
  ] as const)('keeps a reference duplicated on 3% of rows as the key, its duplicates reported ($notional notional, comment: $comment)', async (opts) => {
    const pair = duplicatedRefTrades(dir('trades'), opts);
    const { report, breaks } = await inferAndRun(pair);
    // Sampled whole: one extra record per duplicated reference, on each side.
    expect(report.key.duplicatesA).toBe(pair.duplicated.length);
    expect(report.key.reason).toMatch(/not unique/);
    // The user is told which columns would have made it unique but are values (a decimal never is a key part).
    if (opts.notional === 'whole') expect(report.key.reason).toMatch(/left out of the key as compared values, not identifiers: .*A's Notional \(/);
    if (opts.comment) expect(report.key.reason).toMatch(/left out of the key as compared values, not identifiers: .*A's Comment \(free text\)/);
    expect(report.questions.map((q) => q.message)).toEqual([expect.stringMatching(/^Key Deal ↔ deal is not unique/)]);
    expect(new Set(breaks.filter((b) => b.diff_type === 'DUPLICATE_KEY').map((b) => b.key))).toEqual(new Set(pair.duplicated));
  });

  it('keeps the reference when the sample is a small part of the file', async () => {
    const pair = duplicatedRefTrades(dir('trades-sampled'), { seed: 7, rows: 12_000, notional: 'whole', comment: true });
    const { definition, report } = await inferDefinition({ aPath: pair.aPath, bPath: pair.bPath, sampleRows: 3000 });
    expect(definition.key).toEqual(['Deal']);
    expect(report.key.reason).toMatch(/not unique/);
  });

  it.each([
    { balance: 'whole', seed: 4 },
    { balance: 'decimal', seed: 5 },
  ] as const)('takes (account, currency) over a nearly unique balance ($balance)', async (opts) => {
    const { report } = await inferAndRun(accountBalances(dir('balances'), opts));
    expect(report.key.duplicatesA + report.key.duplicatesB).toBe(0);
  });

  it('takes (portfolio, security, date) over security + units, which has fewer parts', async () => {
    const { report } = await inferAndRun(portfolioPositions(dir('positions'), { seed: 6 }));
    expect(report.key.duplicatesA + report.key.duplicatesB).toBe(0);
  });
});
