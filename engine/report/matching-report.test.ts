import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionInput } from '../definition/schema.ts';
import { generateCash } from '../generate/cash/generate-cash.ts';
import { openFinishedRun, type FinishedRun } from '../run-file/finished-run.ts';
import { decisionReader } from './decisions.ts';
import { buildNarrative } from './narrative.ts';
import { buildSummary } from './summary.ts';
import { renderSummaryText } from './summary-text.ts';
import { registeredRun, type FixtureRun } from './testing/fixture.ts';
import { writeBreaksXlsx } from './xlsx.ts';

/** The reports of a matching run (engine/match) say what was matched, not what was joined on a key. */

let run: FixtureRun;
let file: FinishedRun;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'recon-report-cash-'));
  const g = await generateCash({ rows: 600, outDir: dir, seed: 11 });
  const def = JSON.parse(readFileSync(g.definitionPath, 'utf8')) as DefinitionInput;
  run = await registeredRun(g.ledgerPath, g.bankPath, def, 'cash-11');
  file = await openFinishedRun(run.workspace, run.runId);
}, 60_000);
afterAll(() => {
  file.close();
  run.store.close();
});

describe('reports of a matching run', () => {
  it('the text summary and the narrative give the matching counts as the run recorded them', async () => {
    const m = run.summary.matching!;
    expect(m.matchedRows.a).toBeGreaterThan(0);
    const summary = await buildSummary(file, decisionReader(run.store, run.runId));
    const text = renderSummaryText(summary);
    expect(text).toContain('Matching');
    expect(text).toContain(`matched rows A ${m.matchedRows.a.toLocaleString('en-US')} / B ${m.matchedRows.b.toLocaleString('en-US')}`);
    for (const r of m.byRule) expect(text).toContain(`rule ${r.rule} (${r.type}): ${r.groups.toLocaleString('en-US')} groups`);
    expect(text).not.toContain('counterpart rejected');

    const narrative = await buildNarrative(file, summary);
    const first = narrative.paragraphs.find((p) => p.heading === 'What was compared')!.sentences[0]!.text;
    expect(first).toContain(`${m.matchedRows.a.toLocaleString('en-US')} rows of A and ${m.matchedRows.b.toLocaleString('en-US')} of B`);
    expect(first).not.toContain('on the key');
  });

  it('the XLSX has a Matches sheet with every matched source row and its group sums', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'recon-xlsx-cash-')), 'cash.xlsx');
    const summary = await buildSummary(file, decisionReader(run.store, run.runId));
    await writeBreaksXlsx(file, summary, decisionReader(run.store, run.runId), out, { maxRowsPerSheet: 250 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const sheets = wb.worksheets.filter((w) => w.name.startsWith('Matches'));
    const m = run.summary.matching!;
    // Continued past the row limit like the breaks.
    expect(sheets.length).toBeGreaterThan(1);
    expect(sheets.reduce((n, w) => n + w.rowCount - 1, 0)).toBe(m.matchedRows.a + m.matchedRows.b);
    expect(sheets[0]!.getRow(1).getCell(1).text).toBe('Match ID');
    const first = sheets[0]!.getRow(2);
    expect(first.getCell(1).text).toMatch(/^M\d+/);
    expect(['A', 'B']).toContain(first.getCell(4).text);
  });
});
