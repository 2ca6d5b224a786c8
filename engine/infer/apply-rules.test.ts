import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { definitionCommand } from '../cli/commands/definition.ts';
import { definitionSchema, type DefinitionInput } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { applyRuleProposals, columnWideProposals } from './apply-rules.ts';
import { inferDefinition } from './infer.ts';
import { runAndReadBreaks } from './testing/compare-runs.ts';
import type { InferenceResult, RuleProposal } from './types.ts';

/**
 * From proposal to rule: on generated extracts (no injected breaks) whose B
 * writes every notional ×100 and every settlement date one business day
 * late, inference proposes the two rules; merged into the definition with
 * applyRuleProposals they leave exactly the two genuine differences planted
 * in B as breaks. `recon definition infer --accept-rules` does the same merge.
 */

const DAY = 86_400_000;
const weekend = (t: number): boolean => [0, 6].includes(new Date(t).getUTCDay());
function plusBusinessDays(dmy: string, n: number): string {
  const [d, m, y] = dmy.split('/');
  let t = Date.parse(`${y}-${m}-${d}T00:00:00Z`);
  for (let left = n; left > 0; ) {
    t += DAY;
    if (!weekend(t)) left--;
  }
  const iso = new Date(t).toISOString().slice(0, 10);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** B's notional "531990,00" ×100 as exact text ("53199000,00"), plus `extra` hundredths of a unit. */
function times100(amount: string, extra: bigint): string {
  const m = /^(-?\d+),(\d{2})$/.exec(amount);
  if (!m) throw new Error(`unexpected notional ${amount}`);
  return `${BigInt(`${m[1]}${m[2]}`) + extra},00`;
}

/** One line's fields as written (quotes kept), split at delimiters outside quotes. */
function splitRaw(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === delimiter && !quoted) {
      out.push(line.slice(start, i));
      start = i + 1;
    }
  }
  return [...out, line.slice(start)];
}

let dir: string;
let aPath: string;
let bPath: string;
let planted: { notional: string; settle: string };
let inferred: InferenceResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recon-accept-rules-'));
  const g = await generateExtracts({ rows: 1500, outDir: join(dir, 'gen'), seed: 41, breakRate: 0 });
  aPath = g.aPath;
  const [header, ...lines] = readFileSync(g.bPath, 'utf8').trimEnd().split('\n');
  const cols = header!.split(';');
  const [key, settle, notional] = ['trade_ref', 'settle_dt', 'net_amount'].map((c) => cols.indexOf(c));
  const rows = lines.map((l) => splitRaw(l, ';'));
  planted = { notional: rows[10]![key!]!, settle: rows[20]![key!]! };
  const out = rows.map((r, i) => {
    expect(r).toHaveLength(cols.length);
    const row = [...r];
    row[notional!] = times100(r[notional!]!, i === 10 ? 1n : 0n);
    row[settle!] = plusBusinessDays(r[settle!]!, i === 20 ? 2 : 1);
    return row.join(';');
  });
  bPath = join(dir, 'b-scaled.csv');
  writeFileSync(bPath, `${[header, ...out].join('\n')}\n`);
  inferred = await inferDefinition({ aPath, bPath });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fieldBreaks = (breaks: { field: string; key: string }[], field: string): string[] => breaks.filter((b) => b.field === field).map((b) => b.key);

describe('accepting inferred rule proposals', () => {
  it('proposes the inverse of each column-wide pattern, and leaves the definition without it', () => {
    const { report, definition } = inferred;
    const scale = report.rules.find((r) => r.field === 'Notional' && r.columnWide);
    expect(scale).toMatchObject({ kind: 'scale', value: 100, adjust: { b: { multiply: '0.01' } } });
    const shift = columnWideProposals(report.rules).find((r) => r.field === 'SettleDate');
    expect(shift).toMatchObject({ kind: 'business-day-shift', value: 1, adjust: { b: { shiftBusinessDays: -1 } } });
    // Mondays to Thursdays are also one calendar day late: proposed too, but not the one to take.
    expect(report.rules.some((r) => r.field === 'SettleDate' && r.kind === 'day-shift' && r.columnWide)).toBe(true);
    expect(definition.fields?.some((f) => f.adjust !== undefined)).toBe(false);
  });

  it('merged with applyRuleProposals, leaves only the genuine differences as breaks', async () => {
    const before = await runAndReadBreaks(aPath, bPath, inferred.definition, join(dir, 'ws-before'));
    expect(fieldBreaks(before.breaks, 'Notional').length).toBeGreaterThan(1400);
    expect(fieldBreaks(before.breaks, 'SettleDate').length).toBeGreaterThan(1400);

    const accepted = applyRuleProposals(inferred.definition, columnWideProposals(inferred.report.rules));
    expect(definitionSchema.safeParse(accepted).success).toBe(true);
    const after = await runAndReadBreaks(aPath, bPath, accepted, join(dir, 'ws-after'));
    expect(after.breaks.map((b) => `${b.key} ${b.field} ${b.diff_type}`)).toEqual(
      [`${planted.notional} Notional MISMATCH`, `${planted.settle} SettleDate MISMATCH`].sort(),
    );
    const notional = after.breaks.find((b) => b.field === 'Notional')!;
    expect(Number(notional.value_b) - Number(notional.value_a)).toBeCloseTo(0.01, 9);
    expect(after.summary.rejects).toMatchObject({ a: 0, b: 0 });
  });

  it('is pure: a new definition, rules merged side by side, a later rule for a side replacing the earlier', () => {
    const def: DefinitionInput = {
      name: 'd',
      key: ['id'],
      fields: [
        { name: 'id' },
        { name: 'Amount', type: 'decimal', adjust: { a: { multiply: '-1' } } },
        { name: 'Settle', type: 'date' },
      ],
    };
    const frozen = structuredClone(def);
    const out = applyRuleProposals(def, [
      { field: 'amount', adjust: { b: { multiply: '0.01' } } },
      { field: 'Settle', adjust: { b: { shiftDays: -1 } } },
      { field: 'Settle', adjust: { b: { shiftBusinessDays: -1 } } },
    ]);
    expect(def).toEqual(frozen);
    expect(out.fields?.map((f) => f.adjust)).toEqual([undefined, { a: { multiply: '-1' }, b: { multiply: '0.01' } }, { b: { shiftBusinessDays: -1 } }]);
    expect(() => applyRuleProposals(def, [{ field: 'Nope', adjust: { b: { multiply: '-1' } } }])).toThrow(ReconError);
  });

  it('takes per field only the column-wide proposal explaining the most records', () => {
    const p = (field: string, kind: RuleProposal['kind'], explains: number, columnWide: boolean): RuleProposal => ({
      field,
      kind,
      value: 1,
      adjust: {},
      explains,
      differing: 100,
      compared: 100,
      estimatedRecords: explains,
      columnWide,
      reason: '',
      exampleKeys: [],
    });
    const rules = [p('D', 'day-shift', 80, true), p('D', 'business-day-shift', 100, true), p('N', 'scale', 3, false), p('S', 'sign-flip', 60, true)];
    expect(columnWideProposals(rules)).toEqual([rules[1], rules[3]]);
  });
});

describe('recon definition infer --accept-rules', () => {
  let stdout = '';
  beforeAll(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  });
  afterAll(() => vi.restoreAllMocks());

  it('writes the definition with the column-wide rules and says which it accepted', async () => {
    const out = join(dir, 'accepted.json');
    expect(await definitionCommand(['infer', '--a', aPath, '--b', bPath, '--out', out, '--accept-rules'])).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8')) as DefinitionInput;
    const adjust = Object.fromEntries((written.fields ?? []).filter((f) => f.adjust).map((f) => [f.name, f.adjust]));
    expect(adjust).toEqual({ Notional: { b: { multiply: '0.01' } }, SettleDate: { b: { shiftBusinessDays: -1 } } });
    expect(stdout).toMatch(/2 column-wide rules accepted into the definition/);
    expect(stdout).toContain('accepted: "adjust": {"b":{"multiply":"0.01"}}');
    expect(stdout).toContain('accepted: "adjust": {"b":{"shiftBusinessDays":-1}}');

    stdout = '';
    const plain = join(dir, 'plain.json');
    expect(await definitionCommand(['infer', '--a', aPath, '--b', bPath, '--out', plain])).toBe(0);
    expect(readFileSync(plain, 'utf8')).not.toContain('adjust');
    expect(stdout).toContain('to accept: "adjust": {"b":{"multiply":"0.01"}}');
  });
});
