import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { definitionCommand } from '../cli/commands/definition.ts';
import type { DefinitionInput } from '../definition/schema.ts';
import { applyRuleProposals, columnWideProposals } from './apply-rules.ts';
import { formatInferenceReport } from './format-report.ts';
import { inferDefinition } from './infer.ts';
import { runAndReadBreaks } from './testing/compare-runs.ts';
import { positionsPair, riskPair, tradesPair } from './testing/unseen-pairs.ts';

/**
 * Issue 18: set-up that holds up on files no one tuned inference for. Each
 * pair is built in testing/unseen-pairs.ts with its own names and formats;
 * with --accept-rules the inferred definition must find the same breaks as
 * the definition a person would write.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recon-infer-unseen-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const breakSet = (breaks: { key: string; field: string; diff_type: string }[]): string[] => breaks.map((b) => `${b.key} ${b.field} ${b.diff_type}`).sort();

/** `recon definition infer --accept-rules --json`, as a person would run it: the definition and the printed JSON. */
async function inferWithCli(aPath: string, bPath: string, name: string): Promise<{ definition: DefinitionInput; json: Record<string, unknown> }> {
  const out = join(dir, `${name}.json`);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  try {
    expect(await definitionCommand(['infer', '--a', aPath, '--b', bPath, '--out', out, '--accept-rules', '--json'])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return { definition: JSON.parse(readFileSync(out, 'utf8')) as DefinitionInput, json: JSON.parse(stdout) as Record<string, unknown> };
}

describe('key choice', () => {
  it('prefers a key unique on both sides (TradeID ↔ trade_ref) to one whose values overlap more but repeat (ISIN)', async () => {
    const pair = tradesPair(join(dir, 'trades'));
    const { definition, report } = await inferDefinition({ aPath: pair.aPath, bPath: pair.bPath });
    expect(definition.key).toEqual(['TradeID']);
    expect(report.key.bColumns).toEqual(['trade_ref']);
    expect(report.key).toMatchObject({ duplicatesA: 0, duplicatesB: 0 });
    expect(report.key.reason).toMatch(/TradeID ↔ trade_ref: unique and never empty on both sides/);
    // The rejected candidate says why, in words that match its numbers.
    const isin = report.key.alternatives.find((x) => x.a[0] === 'ISIN');
    expect(isin?.why).toMatch(/not unique: \d+ duplicate/);
    expect(report.questions.filter((q) => /key/i.test(q.message))).toEqual([]);
    // So the trades only one side has are missing records, not duplicate-key breaks.
    const run = await runAndReadBreaks(pair.aPath, pair.bPath, definition);
    expect(run.summary.counts).toMatchObject({ missingInB: pair.onlyA.length, missingInA: pair.onlyB.length });
    expect(run.breaks.filter((b) => b.diff_type === 'DUPLICATE_KEY')).toEqual([]);
  });

  it('chooses the same when the sample is a small part of a larger file', async () => {
    const pair = tradesPair(join(dir, 'trades-big'), { rows: 12_000, onlyA: 400, seed: 21 });
    const { definition, report } = await inferDefinition({ aPath: pair.aPath, bPath: pair.bPath, sampleRows: 1500 });
    expect(definition.key).toEqual(['TradeID']);
    expect(report.key).toMatchObject({ bColumns: ['trade_ref'], duplicatesA: 0, duplicatesB: 0 });
    expect(report.questions).toEqual([]);
  });

  it('never calls a key with duplicates unique, and asks about it (report and --json)', async () => {
    const pair = tradesPair(join(dir, 'trades-dup'), { duplicatedRefs: 4, seed: 3 });
    const { definition, report } = await inferDefinition({ aPath: pair.aPath, bPath: pair.bPath });
    expect(definition.key).toEqual(['TradeID']);
    expect(report.key.duplicatesB).toBe(4);
    expect(report.key.reason).not.toMatch(/(?<!not )unique/);
    expect(report.key.reason).toMatch(/4 duplicate/);
    const q = report.questions.find((x) => /TradeID/.test(x.message));
    expect(q?.message).toMatch(/4 .*duplicate/);
    expect(formatInferenceReport({ definition, report })).toMatch(/\? Key TradeID ↔ trade_ref is not unique/);
    const { json } = await inferWithCli(pair.aPath, pair.bPath, 'trades-dup');
    expect(JSON.stringify((json['report'] as { questions: unknown[] }).questions)).toMatch(/not unique/);
  });
});

describe('numbers that never agree exactly', () => {
  let pair: Awaited<ReturnType<typeof riskPair>>;
  let inferred: Awaited<ReturnType<typeof inferDefinition>>;
  beforeAll(async () => {
    pair = await riskPair(join(dir, 'risk'));
    inferred = await inferDefinition({ aPath: pair.aPath, bPath: pair.bPath });
  });

  it('maps PV ↔ pv and Delta ↔ delta by name and correlation, not the weakly correlated vega or the unrelated Theta', () => {
    const { definition, report } = inferred;
    expect(definition.key).toEqual(['Trade Id']);
    const byName = Object.fromEntries((definition.fields ?? []).map((f) => [f.name, f]));
    expect(byName['PV']).toMatchObject({ b: 'pv', type: 'decimal' });
    expect(byName['Delta']).toMatchObject({ b: 'delta', type: 'decimal' });
    expect(byName['Theta']).toBeUndefined();
    expect(report.unmatched.b).toEqual(expect.arrayContaining(['theta', 'vega']));
    expect(report.fields.find((f) => f.name === 'PV')?.mapping.reason).toMatch(/correlate/);
  });

  it('proposes an absolute tolerance for PV and a relative one for Delta, with their evidence, and none for Notional', () => {
    const { rules } = inferred.report;
    const pv = rules.find((r) => r.field === 'PV');
    expect(pv).toMatchObject({ kind: 'abs-tolerance', value: 400, tolerance: { abs: '400' }, columnWide: true });
    expect(pv?.reason).toMatch(/^99\.\d% of matched records differ by ≤ 400; abs tolerance 400 proposed/);
    const delta = rules.find((r) => r.field === 'Delta');
    expect(delta).toMatchObject({ kind: 'rel-tolerance', tolerance: { rel: '0.005' }, columnWide: true });
    expect(delta?.reason).toMatch(/differences scale with the value/);
    // Notional agrees exactly but where a break is planted: those are breaks, not noise.
    expect(rules.filter((r) => r.field === 'Notional')).toEqual([]);
    expect(inferred.definition.fields?.some((f) => f.tolerance !== undefined)).toBe(false);
  });

  it('with --accept-rules finds the breaks the hand-written definition finds', async () => {
    const { definition } = await inferWithCli(pair.aPath, pair.bPath, 'risk');
    expect(definition.fields?.find((f) => f.name === 'PV')?.tolerance).toEqual({ abs: '400' });
    const expected = await runAndReadBreaks(pair.aPath, pair.bPath, pair.handWritten);
    const actual = await runAndReadBreaks(pair.aPath, pair.bPath, definition);
    expect(breakSet(expected.breaks)).toEqual([...pair.pvBreaks.map((k) => `${k} PV MISMATCH`), ...pair.notionalBreaks.map((k) => `${k} Notional MISMATCH`)].sort());
    expect(breakSet(actual.breaks)).toEqual(breakSet(expected.breaks));
  });
});

describe('tolerances and rules on other pairs', () => {
  it('proposes a day tolerance for a settlement lag of 0 to 2 days, and accepted it leaves the missing trades only', async () => {
    const pair = tradesPair(join(dir, 'trades-lag'), { seed: 9 });
    const inferred = await inferDefinition({ aPath: pair.aPath, bPath: pair.bPath });
    const lag = inferred.report.rules.find((r) => r.field === 'SettleDate' && r.kind === 'day-tolerance');
    expect(lag).toMatchObject({ value: 2, tolerance: { days: 2 }, columnWide: true });
    expect(lag?.reason).toMatch(/differ by ≤ 2 days; day tolerance 2 proposed/);
    const accepted = applyRuleProposals(inferred.definition, columnWideProposals(inferred.report.rules));
    const expected = await runAndReadBreaks(pair.aPath, pair.bPath, pair.handWritten);
    const actual = await runAndReadBreaks(pair.aPath, pair.bPath, accepted);
    expect(breakSet(actual.breaks)).toEqual(breakSet(expected.breaks));
    expect(expected.breaks.every((b) => b.diff_type === 'MISSING_IN_A' || b.diff_type === 'MISSING_IN_B')).toBe(true);
  });

  it('takes prices in other units as scale rules, with no tolerance on top, and finds the hand-written breaks', async () => {
    const pair = positionsPair(join(dir, 'positions'));
    const { definition, json } = await inferWithCli(pair.aPath, pair.bPath, 'positions');
    const rules = (json['report'] as { rules: { field: string; kind: string }[] }).rules;
    expect(rules.filter((r) => r.kind.endsWith('tolerance'))).toEqual([]);
    const adjust = Object.fromEntries((definition.fields ?? []).filter((f) => f.adjust).map((f) => [f.name, f.adjust]));
    expect(adjust).toEqual({ 'Clean Price': { b: { multiply: '100' } }, 'Market Value': { b: { multiply: '1000' } } });
    const expected = await runAndReadBreaks(pair.aPath, pair.bPath, pair.handWritten);
    const actual = await runAndReadBreaks(pair.aPath, pair.bPath, definition);
    expect(breakSet(expected.breaks)).toEqual([`${pair.quantityBreak} Quantity MISMATCH`]);
    expect(breakSet(actual.breaks)).toEqual(breakSet(expected.breaks));
  });
});
