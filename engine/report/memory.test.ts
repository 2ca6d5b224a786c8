import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import { openFinishedRun } from '../run-file/finished-run.ts';
import type { Store } from '../store/store.ts';
import { decide } from '../workflow/decisions.ts';
import { listReasonCodes, setReasonSla } from '../workflow/reason-codes.ts';
import { ADA, ALICE } from '../workflow/testing/fixtures.ts';
import { EXPORT_COLUMNS } from './columns.ts';
import { decisionReader } from './decisions.ts';
import { verifyEvidencePack } from './evidence-verify.ts';
import { exportRun, type ExportFormat } from './export.ts';
import { buildNarrative, type Narrative } from './narrative.ts';
import { buildSummary } from './summary.ts';
import { parseCsv, seriesRuns, withoutMemory, type SeriesRun } from './testing/fixture.ts';

/**
 * Break memory in the exports, on a generated three-day series run as the
 * hosts run it: day 1's decisions carried to day 2 (one kept, one dropped),
 * an SLA of 0 days on every reason code before day 3. Each figure is checked
 * against the run file's own tables, read here with plain SQL. A copy of day
 * 1 with the memory tables dropped stands for a run made before the feature.
 */

let workspace: string;
let store: Store;
let runs: SeriesRun[];
const OLD = 'old-run';
const MEMORY_HEADERS = ['Lifecycle', 'First seen run', 'First seen as-of', 'Age (runs)', 'Age (days)'];

interface MemoryRow {
  break_id: string;
  key: string;
  field: string;
  lifecycle: string;
  first_seen_run: string;
  first_seen_as_of: string;
  age_runs: string;
  age_days: string;
}
interface ResolvedRow {
  key: string;
  field: string;
  resolution: string;
  previous_break_id: string;
  first_seen_run: string;
  last_seen_run: string;
}

async function sqlOf<T>(runId: string, text: string): Promise<T[]> {
  const db = await openDuckDB({ path: join(workspace, 'runs', `${runId}.duckdb`), readOnly: true });
  try {
    return await queryRows<T>(db.connection, text);
  } finally {
    db.close();
  }
}
const memoryOf = (runId: string): Promise<MemoryRow[]> =>
  sqlOf<MemoryRow>(
    runId,
    `SELECT b.break_id, b.key, b.field, m.lifecycle, m.first_seen_run, strftime(m.first_seen_as_of, '%Y-%m-%d') AS first_seen_as_of, m.age_runs, m.age_days
       FROM breaks b JOIN break_memory m USING (break_id) ORDER BY b.break_id`,
  );
const resolvedOf = (runId: string): Promise<ResolvedRow[]> =>
  sqlOf<ResolvedRow>(runId, 'SELECT key, field, resolution, previous_break_id, first_seen_run, last_seen_run FROM resolved_breaks ORDER BY previous_break_id');

const exp = (runId: string, format: ExportFormat, file: string) =>
  exportRun({ workspace, runId, format, out: join(workspace, 'out', file), actor: ALICE, store });

async function narrativeOf(runId: string, opts: { noSla?: boolean } = {}): Promise<Narrative> {
  const file = await openFinishedRun(workspace, runId);
  try {
    const decisions = decisionReader(store, runId);
    return await buildNarrative(file, await buildSummary(file, opts.noSla ? { ...decisions, reasonSlas: () => [] } : decisions));
  } finally {
    file.close();
  }
}
const textOf = (p: Narrative['paragraphs'][number]): string => p.sentences.map((s) => s.text + (s.after ?? '')).join(' ');

let decided: { kept: string; dropped: string };

beforeAll(async () => {
  const series = await seriesRuns({
    rows: 1500,
    days: 3,
    seed: 21,
    breakRate: 0.04,
    between: async (st, done) => {
      if (done.length === 1) {
        // Decide on one break day 2 carries and one it changes (the generator's truth says which).
        const truth = readFileSync(join(done[0]!.day.dir, '..', 'day-02', 'lifecycle.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
        const pick = (label: string): string => truth.find((c) => c[4] === label && c[1] !== '*')!.slice(0, 2).join('/');
        decided = { kept: pick('CARRIED'), dropped: pick('CHANGED') };
        const source = await openBreakSource(done[0]!.summary.database);
        try {
          const ids = await sqlOfFile(done[0]!.summary.database, 'SELECT break_id, key, field FROM breaks');
          for (const k of [decided.kept, decided.dropped]) {
            const id = Number(ids.find((r) => `${r.key}/${r.field}` === k)!.break_id);
            await decide(st, source, ALICE, { runId: done[0]!.runId, breakId: id, kind: 'ACCEPT', comment: 'known' });
          }
        } finally {
          source.close();
        }
      }
      if (done.length === 2) for (const r of listReasonCodes(st)) setReasonSla(st, ADA, r.code, 0);
    },
  });
  ({ workspace, store, runs } = series);
  await withoutMemory({ workspace, runId: runs[0]!.runId }, OLD);
}, 180_000);
afterAll(() => store.close());

async function sqlOfFile(path: string, text: string): Promise<{ break_id: string; key: string; field: string }[]> {
  const db = await openDuckDB({ path, readOnly: true });
  try {
    return await queryRows(db.connection, text);
  } finally {
    db.close();
  }
}

describe('break memory in the CSV exports', () => {
  it('appends lifecycle, first seen and age to the existing columns, in both profiles', async () => {
    for (const format of ['csv', 'csv-excel'] as const) {
      const r = await exp('day-2', format, `day-2-${format}.csv`);
      const text = readFileSync(r.path, 'utf8').replace(/^\uFEFF/, '');
      const delimiter = text.split('\r\n')[0]!.includes(';') ? ';' : ',';
      const rows = parseCsv(text, delimiter);
      const header = rows[0]!;
      expect(header.slice(22, 22 + MEMORY_HEADERS.length)).toEqual(MEMORY_HEADERS);
      expect(header.slice(0, 22)).toEqual(EXPORT_COLUMNS.slice(0, 22).map((c) => c.header));
      expect(header[21]).toBe('Outcome comment');
      const at = (h: string): number => header.indexOf(h);
      const want = await memoryOf('day-2');
      expect(rows.slice(1).map((row) => [row[0], ...MEMORY_HEADERS.map((h) => row[at(h)])])).toEqual(
        want.map((m) => [m.break_id, m.lifecycle, m.first_seen_run, m.first_seen_as_of, String(m.age_runs), String(m.age_days)]),
      );
    }
  });
});

describe('break memory in the XLSX', () => {
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    const r = await exp('day-2', 'xlsx', 'day-2.xlsx');
    wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.path);
  });

  it('gives every break its lifecycle, first seen run and as-of date, and age in runs and days', async () => {
    const ws = wb.getWorksheet('Breaks')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    expect(header.slice(22, 22 + MEMORY_HEADERS.length)).toEqual(MEMORY_HEADERS);
    const at = (h: string): number => header.indexOf(h) + 1;
    const want = await memoryOf('day-2');
    expect(ws.rowCount - 1).toBe(want.length);
    const got: unknown[][] = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      got.push([row.getCell(1).value, ...MEMORY_HEADERS.map((h) => row.getCell(at(h)).text)]);
    });
    expect(got).toEqual(want.map((m) => [Number(m.break_id), m.lifecycle, m.first_seen_run, m.first_seen_as_of, String(m.age_runs), String(m.age_days)]));
    // Ages are number cells.
    expect(typeof ws.getRow(2).getCell(at('Age (runs)')).value).toBe('number');
  });

  it('lists the resolved breaks on a sheet of their own', async () => {
    const ws = wb.getWorksheet('Resolved')!;
    expect(ws).toBeDefined();
    const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    expect(header).toEqual(['Key', 'Field', 'Diff type', 'Value A', 'Value B', 'First seen run', 'First seen as-of', 'Last seen run', 'Resolution', 'Previous break ID']);
    const want = await resolvedOf('day-2');
    expect(want.length).toBeGreaterThan(0);
    const got: string[][] = [];
    ws.eachRow((row, n) => {
      if (n > 1) got.push([row.getCell(1).text, row.getCell(2).text, row.getCell(6).text, row.getCell(8).text, row.getCell(9).text, row.getCell(10).text]);
    });
    expect(got).toEqual(want.map((r) => [r.key, r.field, r.first_seen_run, r.last_seen_run, r.resolution, r.previous_break_id]));
  });

  it('states the lifecycle counts, the previous run, the as-of date and the ageing per reason on the summary sheet', () => {
    const ws = wb.getWorksheet('Summary')!;
    const items = new Map<string, string>();
    ws.eachRow((row) => items.set(row.getCell(1).text, row.getCell(2).text));
    const lc = runs[1]!.summary.lifecycle;
    expect(items.get('As-of date')).toBe(runs[1]!.day.asOf);
    expect(items.get('Previous run')).toBe('day-1');
    expect([items.get('New breaks'), items.get('Carried breaks'), items.get('Changed breaks'), items.get('Resolved breaks')]).toEqual(
      [lc.new, lc.carried, lc.changed, lc.resolved].map((n) => n.toLocaleString('en-US')),
    );
    expect([items.get('Decisions carried'), items.get('Decisions dropped')]).toEqual(['1', '1']);
    const total = runs[1]!.summary.breaks.total;
    expect(items.get('Age 0–1 days, all reasons')).toBe(total.toLocaleString('en-US'));
    expect([...items.keys()].filter((k) => /^Age 0–1 days, reason /.test(k)).length).toBeGreaterThan(1);
    for (const k of ['Age 2–5 days, all reasons', 'Age 6–30 days, all reasons', 'Age over 30 days, all reasons']) expect(items.get(k)).toBe('0');
  });
});

describe('the narrative starts with what changed since the previous run', () => {
  it('says in one sentence that the first run of a series has nothing to compare with', async () => {
    const nv = await narrativeOf('day-1');
    const first = nv.paragraphs[0]!;
    expect(first.heading).toBe('Since the previous run');
    expect(first.sentences).toHaveLength(1);
    expect(textOf(first)).toMatch(/^This is the first run of the series ".+" \(as of 2024-07-01\): there is no earlier run to compare with\.$/);
  });

  it('counts new, carried, changed and resolved breaks and the decisions carried, each linked to its breaks', async () => {
    const nv = await narrativeOf('day-2');
    const first = nv.paragraphs[0]!;
    expect(first.heading).toBe('Since the previous run');
    const text = textOf(first);
    const lc = runs[1]!.summary.lifecycle;
    expect(text).toContain(`As of ${runs[1]!.day.asOf}, compared with the previous run day-1, ${lc.new.toLocaleString('en-US')} breaks are new`);
    expect(text).toContain(`${lc.carried} carried over with the same values`);
    expect(text).toContain(`${lc.changed} changed value`);
    expect(text).toMatch(new RegExp(`${lc.resolved} breaks? of the previous run (is|are) resolved: `));
    expect(text).toContain('1 decision made on the previous run carries over');
    expect(text).toContain('1 was dropped because the values of its break changed, and it needs a new decision');
    const memory = await memoryOf('day-2');
    const claimOf = (selector: string) => nv.claims.find((c) => c.selector === selector)!;
    for (const label of ['NEW', 'CARRIED', 'CHANGED']) {
      const ids = memory.filter((m) => m.lifecycle === label).map((m) => Number(m.break_id));
      expect(claimOf(`lifecycle ${label}`)).toMatchObject({ total: ids.length, ids });
    }
    const resolved = await resolvedOf('day-2');
    expect(claimOf('breaks of run day-1 resolved in this run (ids in day-1)')).toMatchObject({ total: resolved.length, ids: resolved.map((r) => Number(r.previous_break_id)) });
    const kept = memory.find((m) => `${m.key}/${m.field}` === decided.kept)!;
    const dropped = memory.find((m) => `${m.key}/${m.field}` === decided.dropped)!;
    expect(claimOf('decision carried from the previous run')).toMatchObject({ total: 1, ids: [Number(kept.break_id)] });
    expect(claimOf('decision dropped: values changed')).toMatchObject({ total: 1, ids: [Number(dropped.break_id)] });
    // Each resolution is named in words.
    const byResolution = new Map<string, number>();
    for (const r of resolved) byResolution.set(r.resolution, (byResolution.get(r.resolution) ?? 0) + 1);
    if (byResolution.has('VALUES_AGREE')) expect(text).toContain(`${byResolution.get('VALUES_AGREE')} because the values now agree`);
    // SLAs are the workspace's now (set before day 3); without any, nothing is said of them.
    expect(text).toMatch(/breaks? (is|are) past their reason's SLA/);
    expect(textOf((await narrativeOf('day-2', { noSla: true })).paragraphs[0]!)).not.toContain('SLA');
  });

  it('names the oldest breaks and those past their reason’s SLA', async () => {
    const nv = await narrativeOf('day-3');
    const text = textOf(nv.paragraphs[0]!);
    const memory = await memoryOf('day-3');
    const oldest = Math.max(...memory.map((m) => Number(m.age_days)));
    const atOldest = memory.filter((m) => Number(m.age_days) === oldest);
    expect(oldest).toBe(2);
    expect(text).toContain(`The oldest breaks have been open 2 days (3 runs), since ${runs[0]!.day.asOf}: ${atOldest.length}`);
    expect(nv.claims.find((c) => c.selector === 'age 2 days or more')).toMatchObject({ total: atOldest.length });
    // Every reason has an SLA of 0 days: every break seen before today is overdue.
    const overdue = memory.filter((m) => Number(m.age_days) > 0);
    expect(text).toContain(`${overdue.length.toLocaleString('en-US')} breaks are past their reason's SLA`);
    expect(nv.claims.find((c) => c.selector === 'past the SLA of its reason')).toMatchObject({ total: overdue.length, ids: overdue.map((m) => Number(m.break_id)).slice(0, 2000) });
  });

  it('renders the paragraph first in Markdown and HTML, with its links', async () => {
    const md = readFileSync((await exp('day-2', 'narrative-md', 'day-2.md')).path, 'utf8');
    const html = readFileSync((await exp('day-2', 'narrative-html', 'day-2.html')).path, 'utf8');
    expect(md.split('\n## ')[1]).toMatch(/^Since the previous run\n\nAs of 2024-07-02, compared with the previous run day-1, .*\[\^1\]/);
    expect(html).toMatch(/<h1>[^]*?<\/h1>\n<h2>Since the previous run<\/h2>\n<p>As of 2024-07-02, compared with the previous run day-1, [^<]*<sup><a href="#claim-1"/);
  });
});

describe('break memory in the summary and the evidence pack', () => {
  it('adds the lifecycle to the text summary', async () => {
    const text = readFileSync((await exp('day-2', 'summary', 'day-2-summary.txt')).path, 'utf8');
    const lc = runs[1]!.summary.lifecycle;
    expect(text).toContain(`Series "${runs[1]!.summary.definition}" as of ${runs[1]!.day.asOf}, previous run day-1\n  since then: new ${lc.new}, carried ${lc.carried}, changed ${lc.changed}, resolved ${lc.resolved}; decisions carried 1, dropped 1\n`);
    const first = readFileSync((await exp('day-1', 'summary', 'day-1-summary.txt')).path, 'utf8');
    expect(first).toContain(`Series "${runs[0]!.summary.definition}" as of ${runs[0]!.day.asOf}: the first run of the series\n`);
  });

  it('signs the lifecycle counts and the previous run', async () => {
    const r = await exp('day-2', 'evidence', 'day-2-evidence.json');
    const pack = JSON.parse(readFileSync(r.path, 'utf8')) as Record<string, unknown>;
    expect(pack['lifecycle']).toEqual(runs[1]!.summary.lifecycle);
    expect(await verifyEvidencePack(r.path)).toMatchObject({ signatureValid: true, problems: [expect.stringMatching(/^signature valid, signer unknown/)] });
  });

  it('still verifies a pack made before break memory', async () => {
    const old = join(import.meta.dirname, 'testing', 'evidence-before-memory.json');
    expect(JSON.parse(readFileSync(old, 'utf8'))).not.toHaveProperty('lifecycle');
    expect(await verifyEvidencePack(old)).toMatchObject({ signatureValid: true, runId: 'gen-5', problems: [expect.stringMatching(/^signature valid, signer unknown/)] });
  });
});

describe('a run file from before break memory', () => {
  it('exports in every format, with no memory columns filled, an empty Resolved sheet and no lifecycle paragraph', async () => {
    const formats: ExportFormat[] = ['summary', 'xlsx', 'csv', 'csv-excel', 'narrative-md', 'narrative-html', 'evidence'];
    const out = new Map<ExportFormat, string>();
    for (const f of formats) out.set(f, (await exp(OLD, f, `old.${f}`)).path);
    const rows = parseCsv(readFileSync(out.get('csv')!, 'utf8'));
    const at = MEMORY_HEADERS.map((h) => rows[0]!.indexOf(h));
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).every((r) => at.every((i) => r[i] === ''))).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out.get('xlsx')!);
    expect(wb.getWorksheet('Resolved')!.rowCount).toBe(1);
    const items: string[] = [];
    wb.getWorksheet('Summary')!.eachRow((row) => items.push(row.getCell(1).text));
    expect(items).not.toContain('Previous run');
    const md = readFileSync(out.get('narrative-md')!, 'utf8');
    expect(md).not.toContain('Since the previous run');
    expect(md.split('\n## ')[1]).toMatch(/^What was compared/);
    expect(readFileSync(out.get('summary')!, 'utf8')).not.toMatch(/^Series |since then/m);
    const pack = JSON.parse(readFileSync(out.get('evidence')!, 'utf8')) as Record<string, unknown>;
    expect(pack).not.toHaveProperty('lifecycle');
    expect(await verifyEvidencePack(out.get('evidence')!)).toMatchObject({ signatureValid: true });
  });
});
