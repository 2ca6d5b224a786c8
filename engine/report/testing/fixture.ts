/**
 * Real runs for report tests: files reconciled by runRecon into a temp
 * workspace, registered in its workflow store (so decisions and audit events
 * work), plus a reader for the CSV the exports write.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema, type DefinitionInput } from '../../definition/schema.ts';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { runRecon } from '../../run/run-recon.ts';
import type { RunSummary } from '../../contract/index.ts';
import { openStore, type Store } from '../../store/open.ts';
import { ADA, seedUsers } from '../../workflow/testing/fixtures.ts';
import { recordRunCompleted, recordRunStarted } from '../../workflow/runs.ts';

export interface FixtureRun {
  workspace: string;
  runId: string;
  aPath: string;
  bPath: string;
  summary: RunSummary;
  store: Store;
}

/** Reconciles A and B under `def` in a fresh workspace and registers the run (users: ada, alice, bob, carol). */
export async function registeredRun(aPath: string, bPath: string, def: DefinitionInput, runId: string): Promise<FixtureRun> {
  const workspace = mkdtempSync(join(tmpdir(), 'recon-report-'));
  const definition = definitionSchema.parse(def);
  const summary = await runRecon({ aPath, bPath, definition, workspace, runId });
  const store = openStore(workspace);
  seedUsers(store);
  recordRunStarted(store, ADA, { runId, definition, duckdbPath: summary.database, inputs: { a: { path: aPath, sha256: summary.inputs.a.sha256 }, b: { path: bPath, sha256: summary.inputs.b.sha256 } } });
  recordRunCompleted(store, ADA, runId, summary);
  return { workspace, runId, aPath, bPath, summary, store };
}

/** A run on generated trade extracts (every kind of break). */
export async function generatedRun(rows: number, seed: number): Promise<FixtureRun> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-report-gen-'));
  const g = await generateExtracts({ rows, outDir: dir, seed });
  const def = JSON.parse(readFileSync(g.definitionPath, 'utf8')) as DefinitionInput;
  return registeredRun(g.aPath, g.bPath, def, `gen-${seed}`);
}

/** Formula payloads (OWASP) as keys, values, a column name and the definition's name. */
export const HOSTILE_NAME = '<script>alert("name")</script> & co';
export const HOSTILE_COLUMN = '<img src=x onerror=alert(1)>';

/** A run whose keys and values try formula injection and markup injection. */
export async function hostileRun(): Promise<FixtureRun> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-report-hostile-'));
  const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  const a = [
    `id,amount,note,${q(HOSTILE_COLUMN)}`,
    `${q("=cmd|' /C calc'!A0")},10.00,${q('=HYPERLINK("http://evil.example","x")')},ok`,
    `+1,20.00,${q('@SUM(1+1)')},ok`,
    `-2,30.00,${q('-1+1')},ok`,
    `@x,40.00,plain,ok`,
    `safe,60.00,${q('\r=1+1')},ok`,
    `num,-70.50,n,ok`,
  ];
  const b = [
    `id,amount,note,${q(HOSTILE_COLUMN)}`,
    `${q("=cmd|' /C calc'!A0")},10.00,${q('+2+3')},ok`,
    `+1,15.00,${q('@SUM(1+1)')},ok`,
    `-2,30.00,${q('=1+1')},changed`,
    `safe,60.00,${q('\t=2+2')},ok`,
    `num,-70.75,n,ok`,
    `${q('=SUM(A1:A9)')},1.00,x,ok`,
  ];
  const aPath = join(dir, 'a.csv');
  const bPath = join(dir, 'b.csv');
  writeFileSync(aPath, `${a.join('\n')}\n`);
  writeFileSync(bPath, `${b.join('\n')}\n`);
  const def: DefinitionInput = {
    name: HOSTILE_NAME,
    key: ['id'],
    fields: [{ name: 'id' }, { name: 'amount', type: 'decimal', scale: 2 }, { name: 'note', trim: false }, { name: HOSTILE_COLUMN }],
  };
  return registeredRun(aPath, bPath, def, 'hostile');
}

/** RFC 4180 rows of CSV text with the given delimiter (quotes may hold delimiters and line breaks). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
