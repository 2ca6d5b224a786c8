import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { ALICE } from '../workflow/testing/fixtures.ts';
import { decisionReader } from './decisions.ts';
import { exportRun } from './export.ts';
import { buildNarrative, type Narrative } from './narrative.ts';
import { openFinishedRun } from '../run-file/finished-run.ts';
import { buildSummary } from './summary.ts';
import { generatedRun, type FixtureRun } from './testing/fixture.ts';

/**
 * The narrative on a generated run: its numbers are the run's, and every
 * claim's breaks are exactly the ones its words describe, checked against the
 * breaks table independently of the SQL that made the claim.
 */

let run: FixtureRun;
let nv: Narrative;
interface Row {
  break_id: string;
  field: string;
  diff_type: string;
  value_a: string | null;
  value_b: string | null;
  reason: string;
  status: string;
}
let rows: Map<number, Row>;

beforeAll(async () => {
  run = await generatedRun(6000, 8);
  const file = await openFinishedRun(run.workspace, run.runId);
  try {
    nv = await buildNarrative(file, await buildSummary(file, decisionReader(run.store, run.runId)));
  } finally {
    file.close();
  }
  const db = await openDuckDB({ path: run.summary.database, readOnly: true });
  try {
    const all = await queryRows<Row>(db.connection, 'SELECT b.break_id, b.field, b.diff_type, b.value_a, b.value_b, t.reason, t.status FROM breaks b JOIN attributions t USING (break_id)');
    rows = new Map(all.map((r) => [Number(r.break_id), r]));
  } finally {
    db.close();
  }
});
afterAll(() => run.store.close());

/** Weekdays from a to b (both weekdays), negative when b is earlier. */
function businessDays(a: string, b: string): number {
  const day = (s: string): number => Date.parse(`${s}T00:00:00Z`) / 86_400_000;
  const [x, y] = [day(a), day(b)];
  let n = 0;
  for (let d = Math.min(x, y) + 1; d <= Math.max(x, y); d++) if (![0, 6].includes(new Date(d * 86_400_000).getUTCDay())) n++;
  return y >= x ? n : -n;
}

describe('narrative', () => {
  it('states the run’s own numbers', () => {
    const text = nv.paragraphs.flatMap((p) => p.sentences.map((s) => s.text + (s.after ?? ''))).join(' ');
    const c = run.summary.counts;
    const auto = [...rows.values()].filter((r) => r.status === 'AUTO').length;
    expect(text).toContain(`${c.a.toLocaleString('en-US')} records in A and ${c.b.toLocaleString('en-US')} in B`);
    expect(text).toContain(`${rows.size.toLocaleString('en-US')} breaks were found`);
    expect(text).toContain(`${(Math.round((auto / rows.size) * 1000) / 10).toFixed(1)}% of them (${auto.toLocaleString('en-US')}) explained automatically`);
  });

  it('backs every claim with exactly the breaks it describes', () => {
    expect(nv.claims.length).toBeGreaterThan(5);
    for (const c of nv.claims) {
      const f = c.filter;
      const matching = [...rows.entries()].filter(([, r]) =>
        (f.reason === undefined || r.reason === f.reason) &&
        (f.field === undefined || r.field === f.field) &&
        (f.status === undefined || r.status === f.status) &&
        (f.diffType === undefined || (Array.isArray(f.diffType) ? f.diffType.includes(r.diff_type) : r.diff_type === f.diffType)),
      );
      if (c.selector.startsWith('break ')) {
        expect(c.ids).toHaveLength(1);
        continue;
      }
      if (f.pattern === undefined) expect(c.total, c.selector).toBe(matching.length);
      else expect(c.total, c.selector).toBeLessThanOrEqual(matching.length);
      for (const id of c.ids) {
        const r = rows.get(id)!;
        expect(matching.some(([k]) => k === id), `${c.selector}: break ${id}`).toBe(true);
        if (f.pattern?.startsWith('bd:')) expect(businessDays(r.value_a!, r.value_b!)).toBe(Number(f.pattern.slice(3)));
      }
    }
  });

  it('names the business-day pattern of late settlements', () => {
    const text = nv.paragraphs.flatMap((p) => p.sentences.map((s) => s.text)).join(' ');
    expect(text).toMatch(/SettleDate values (one|two) business days? later in B than in A/);
  });

  it('says in words which FX rates explain breaks when the run had no FX table, and only then', async () => {
    expect(nv.paragraphs.flatMap((p) => p.sentences.map((s) => s.text)).join(' ')).not.toContain('With no FX table');
    const file = await openFinishedRun(run.workspace, run.runId);
    try {
      const summary = await buildSummary(file, decisionReader(run.store, run.runId));
      summary.model.fxProposals = [
        { field: 'Notional', groupColumn: 'Currency', group: 'USD', rate: '0.921659', breaks: 148 },
        { field: 'Notional', groupColumn: 'Currency', group: 'GBP', rate: '1.1718', breaks: 1203 },
      ];
      const withFx = await buildNarrative(file, summary);
      const reasons = withFx.paragraphs.find((p) => p.heading === 'By reason')!.sentences.map((s) => s.text);
      expect(reasons).toContain(
        "With no FX table for them, one rate per Currency explains FX differences: B/A = 0.921659 on 148 USD Notional breaks and B/A = 1.1718 on 1,203 GBP Notional breaks; these can be accepted into the definition's attribution.fxRates.",
      );
    } finally {
      file.close();
    }
  });

  it('links each claim in Markdown and HTML to its list of break ids', async () => {
    const out = join(run.workspace, 'n');
    const md = readFileSync((await exportRun({ workspace: run.workspace, runId: run.runId, format: 'narrative-md', out: `${out}.md`, actor: ALICE, store: run.store })).path, 'utf8');
    const html = readFileSync((await exportRun({ workspace: run.workspace, runId: run.runId, format: 'narrative-html', out: `${out}.html`, actor: ALICE, store: run.store })).path, 'utf8');
    for (const c of nv.claims) {
      expect(md).toContain(`[^${c.id}]:`);
      expect(md.split(`[^${c.id}]`).length).toBeGreaterThanOrEqual(3);
      expect(html).toContain(`href="#claim-${c.id}"`);
      expect(html).toContain(`<li id="claim-${c.id}">`);
    }
    const all = nv.claims.find((c) => c.selector === 'all breaks')!;
    expect(md).toContain(`[^${all.id}]: all breaks: ${rows.size.toLocaleString('en-US')} breaks, ids 1–${rows.size}`);
  });
});
