import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dayOf, isWeekend } from '../calendar.ts';
import { generateCash, type CashGenerateResult } from './generate-cash.ts';
import { parseTruth, type CashTruthRow } from './truth.ts';
import { nameSimilarity, readCsv, referenceFound } from './test-helpers.ts';

const ROWS = 20_000;
let dir: string;
let result: CashGenerateResult;
let ledger: Record<string, string>[];
let bank: Record<string, string>[];
let truth: CashTruthRow[];
let truthOf: Map<string, CashTruthRow>;

const cents = (amount: string): number => Math.round(Number(amount) * 100);

/** Business days from a to b (b later), weekends skipped. */
function businessDaysBetween(a: string, b: string): number {
  let n = 0;
  for (let d = dayOf(a) + 1; d <= dayOf(b); d++) if (!isWeekend(d)) n++;
  return n;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recon-cash-'));
  result = await generateCash({ rows: ROWS, outDir: join(dir, 'a'), seed: 3 });
  ledger = readCsv(result.ledgerPath);
  bank = readCsv(result.bankPath);
  truth = parseTruth(readFileSync(result.truthPath, 'utf8'));
  truthOf = new Map(truth.map((t) => [`${t.side}${t.id}`, t]));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The 1:1 pairs of a kind: ledger row with its bank line. */
function pairs(kind: string): [Record<string, string>, Record<string, string>][] {
  const bankByGroup = new Map<string, Record<string, string>>();
  for (const b of bank) {
    const t = truthOf.get(`B${b.line_id}`)!;
    if (t.matchType === '1:1' && t.kind === kind) bankByGroup.set(t.groupId, b);
  }
  const out: [Record<string, string>, Record<string, string>][] = [];
  for (const a of ledger) {
    const t = truthOf.get(`A${a.entry_id}`)!;
    if (t.matchType === '1:1' && t.kind === kind) out.push([a, bankByGroup.get(t.groupId)!]);
  }
  return out;
}

describe('generateCash', () => {
  it('writes the same bytes for the same seed, other bytes for another', async () => {
    const again = await generateCash({ rows: ROWS, outDir: join(dir, 'b'), seed: 3 });
    for (const file of ['ledger.csv', 'bank.csv', 'truth.csv', 'definition.json']) {
      expect(readFileSync(join(dir, 'b', file)).equals(readFileSync(join(dir, 'a', file))), file).toBe(true);
    }
    expect(again.ledgerRows).toBe(result.ledgerRows);
    const other = await generateCash({ rows: 2_000, outDir: join(dir, 'c'), seed: 4 });
    const small = await generateCash({ rows: 2_000, outDir: join(dir, 'd'), seed: 3 });
    expect(readFileSync(other.ledgerPath).equals(readFileSync(small.ledgerPath))).toBe(false);
  });

  it('gives every row a unique id, in entry order and booking-date order', () => {
    expect(ledger.length).toBe(result.ledgerRows);
    expect(bank.length).toBe(result.bankRows);
    expect(new Set(ledger.map((r) => r.entry_id)).size).toBe(ledger.length);
    expect(new Set(bank.map((r) => r.line_id)).size).toBe(bank.length);
    ledger.forEach((r, i) => expect(r.entry_id).toBe(`LE${String(i + 1).padStart(9, '0')}`));
    let previous = '';
    for (const r of bank) {
      expect(r.line_id).toMatch(/^ST\d{13}$/);
      expect(r.line_id!.slice(2, 10)).toBe(r.booking_date!.replaceAll('-', ''));
      expect(r.booking_date! >= previous).toBe(true);
      expect(r.booking_date! >= r.value_date!).toBe(true);
      previous = r.booking_date!;
    }
    for (const r of [...ledger, ...bank]) expect(r.amount).toMatch(/^-?\d+\.\d{2}$/);
  });

  it('lists every row in truth exactly once', () => {
    expect(truth.length).toBe(ledger.length + bank.length);
    expect(truthOf.size).toBe(truth.length);
    for (const r of ledger) expect(truthOf.has(`A${r.entry_id}`)).toBe(true);
    for (const r of bank) expect(truthOf.has(`B${r.line_id}`)).toBe(true);
  });

  it('has the issue proportions: ~85-90% 1:1, ~6% in groups, ~4% without a counterpart per side', () => {
    expect(ledger.length).toBeGreaterThan(ROWS * 0.97);
    expect(ledger.length).toBeLessThan(ROWS * 1.03);
    const share = (side: 'A' | 'B', test: (t: CashTruthRow) => boolean): number => {
      const rows = truth.filter((t) => t.side === side);
      return rows.filter(test).length / rows.length;
    };
    for (const side of ['A', 'B'] as const) {
      expect(share(side, (t) => t.matchType === '1:1')).toBeGreaterThan(0.84);
      expect(share(side, (t) => t.matchType === '1:1')).toBeLessThan(0.93);
      expect(share(side, (t) => t.groupId === '')).toBeGreaterThan(0.03);
      expect(share(side, (t) => t.groupId === '')).toBeLessThan(0.055);
    }
    const inGroups = truth.filter((t) => t.matchType !== '' && t.matchType !== '1:1').length / truth.length;
    expect(inGroups).toBeGreaterThan(0.045);
    expect(inGroups).toBeLessThan(0.08);
    const indistinguishable = truth.filter((t) => t.kind === 'INDISTINGUISHABLE').length / truth.length;
    expect(indistinguishable).toBeGreaterThan(0);
    expect(indistinguishable).toBeLessThanOrEqual(0.005);
    for (const kind of Object.keys(result.kinds)) expect(truth.some((t) => t.kind === kind), kind).toBe(true);
    for (const type of ['1:1', '1:N', 'N:1', 'N:M']) expect(result.groups[type], type).toBeGreaterThan(10);
  });

  it('makes groups whose sums agree, or differ by a fee of at most 5.00', () => {
    const groups = new Map<string, { a: Record<string, string>[]; b: Record<string, string>[]; type: string; kind: string }>();
    const add = (side: 'a' | 'b', row: Record<string, string>, t: CashTruthRow): void => {
      if (t.groupId === '') return;
      const g = groups.get(t.groupId) ?? { a: [], b: [], type: t.matchType, kind: t.kind };
      g[side].push(row);
      groups.set(t.groupId, g);
    };
    for (const r of ledger) add('a', r, truthOf.get(`A${r.entry_id}`)!);
    for (const r of bank) add('b', r, truthOf.get(`B${r.line_id}`)!);
    let fees = 0;
    for (const [id, g] of groups) {
      expect(g.a.length, id).toBeGreaterThan(0);
      expect(g.b.length, id).toBeGreaterThan(0);
      expect(g.a.length + g.b.length, id).toBeLessThanOrEqual(7);
      const expected = g.a.length === 1 ? (g.b.length === 1 ? '1:1' : '1:N') : g.b.length === 1 ? 'N:1' : 'N:M';
      expect(g.type, id).toBe(expected);
      expect(new Set([...g.a, ...g.b].map((r) => r.currency)).size, id).toBe(1);
      // The bank line is the ledger less the fee: receipts arrive short, payments leave long.
      const diff = g.a.reduce((s, r) => s + cents(r.amount!), 0) - g.b.reduce((s, r) => s + cents(r.amount!), 0);
      if (g.kind === 'FEE_DIFFERENCE') {
        fees++;
        expect(diff, id).toBeGreaterThan(0);
        expect(diff, id).toBeLessThanOrEqual(500);
      } else expect(diff, id).toBe(0);
    }
    expect(fees).toBeGreaterThan(20);
  });

  it('lags bank value dates 0 to 3 business days behind the ledger, mostly 0 or 1', () => {
    const lags = pairs('MATCHED').map(([a, b]) => businessDaysBetween(a.value_date!, b.value_date!));
    expect(Math.min(...lags)).toBe(0);
    expect(Math.max(...lags)).toBe(3);
    expect(lags.filter((l) => l <= 1).length / lags.length).toBeGreaterThan(0.8);
    expect(lags.filter((l) => l === 0).length / lags.length).toBeLessThan(0.7);
  });

  it('mangles references in narratives, and the definition\'s reference condition still finds most', () => {
    const withRef = pairs('MATCHED').filter(([a]) => a.reference !== '' && !a.reference!.startsWith('SEPA-'));
    const verbatim = withRef.filter(([a, b]) => b.narrative!.includes(a.reference!)).length / withRef.length;
    const found = withRef.map(([a, b]) => referenceFound(a.reference!, b.narrative!, 10));
    const whole = found.filter((f) => f === 'whole').length / withRef.length;
    const part = found.filter((f) => f === 'part').length / withRef.length;
    expect(verbatim).toBeLessThan(0.4);
    expect(whole).toBeGreaterThan(0.65);
    expect(part).toBeGreaterThan(0.02);
    expect(whole + part).toBeLessThan(0.95); // missing, mistyped or cut too short
    const narratives = withRef.map(([, b]) => b.narrative!);
    expect(narratives.some((n) => /INV2026\d{6}/.test(n))).toBe(true); // dashes dropped
    expect(narratives.some((n) => /INV 2026 \d{6}/.test(n))).toBe(true); // spaces for dashes
    expect(narratives.some((n) => /inv-?2026/.test(n))).toBe(true); // lower case
    expect(narratives.some((n) => /PMT REF INV-?2026-?\d{6} THANK YOU/.test(n))).toBe(true); // embedded in text
    expect(narratives.some((n) => n === '')).toBe(true); // none at all
  });

  it('spells counterparties differently at the bank, yet alike enough for a 0.85 similarity', () => {
    const all = pairs('MATCHED');
    const differ = all.filter(([a, b]) => a.counterparty !== b.counterparty_name).length / all.length;
    expect(differ).toBeGreaterThan(0.8);
    const similar = all.filter(([a, b]) => nameSimilarity(a.counterparty!, b.counterparty_name!) >= 0.85).length / all.length;
    expect(similar).toBeGreaterThan(0.99);
    const names = all.map(([, b]) => b.counterparty_name!);
    expect(names.some((n) => n.length === 20 && n === n.toUpperCase())).toBe(true); // cut to the field width
    expect(names.some((n) => n.includes('  '))).toBe(true); // extra spaces
    expect(names.some((n) => /\bINTL\b/.test(n))).toBe(true); // abbreviated
  });

  it('makes amount alone ambiguous, but reference or name and date tell most pairs apart', () => {
    const byAmount = new Map<string, Record<string, string>[]>();
    for (const b of bank) {
      const k = `${b.currency}|${b.amount}`;
      byAmount.set(k, [...(byAmount.get(k) ?? []), b]);
    }
    let ambiguousByAmount = 0;
    let resolved = 0;
    const all = pairs('MATCHED');
    for (const [a, truthB] of all) {
      const near = (b: Record<string, string>, days: number): boolean => Math.abs(dayOf(b.value_date!) - dayOf(a.value_date!)) <= days;
      const candidates = (byAmount.get(`${a.currency}|${a.amount}`) ?? []).filter((b) => near(b, 5));
      if (candidates.length < 2) continue;
      ambiguousByAmount++;
      const byRef = candidates.filter((b) => referenceFound(a.reference!, b.narrative!, 10) === 'whole');
      const byName = candidates.filter((b) => nameSimilarity(a.counterparty!, b.counterparty_name!) >= 0.85);
      if ((byRef.length === 1 && byRef[0] === truthB) || (byName.length === 1 && byName[0] === truthB)) resolved++;
    }
    expect(ambiguousByAmount / all.length).toBeGreaterThan(0.15);
    expect(resolved / ambiguousByAmount).toBeGreaterThan(0.9);
  });
});
