import { describe, it, expect, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DefinitionInput } from '../definition/schema.ts';
import { openStore } from '../store/open.ts';
import { saveDefinition } from '../workflow/definitions.ts';
import { currentUser } from '../workflow/identity.ts';

/** The `recon` CLI as a user runs it: a child process, its exit code, stdout and stderr. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'recon.mjs');
const dir = mkdtempSync(join(tmpdir(), 'recon-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function recon(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const GOOD = 'id,amt\n1,1.00\n2,2.00\n';
const DEF: DefinitionInput = { name: 'cli', key: ['id'], fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', scale: 2 }] };

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('recon CLI', () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await recon('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^recon ${pkg.version.replaceAll('.', '\\.')} `));
    expect(r.stdout).toMatch(/DuckDB v\d+\.\d+/);
  });

  it('generates extracts and reconciles them, writing summary.json and breaks.csv', async () => {
    const gen = join(dir, 'gen');
    const g = await recon('generate', '--rows', '400', '--out', gen, '--seed', '5');
    expect(g.code, g.stderr).toBe(0);
    for (const f of ['a.csv', 'b.csv', 'truth.csv', 'definition.json']) expect(existsSync(join(gen, f)), f).toBe(true);

    const out = join(dir, 'out');
    const r = await recon('run', '--a', join(gen, 'a.csv'), '--b', join(gen, 'b.csv'), '--definition', join(gen, 'definition.json'), '--workspace', join(dir, 'ws'), '--out', out, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { runId: string; counts: { a: number }; breaks: { total: number } };
    expect(r.stdout).toContain(`Run ${summary.runId}`);
    expect(summary.counts.a).toBeGreaterThanOrEqual(400);
    const csv = readFileSync(join(out, 'breaks.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('key,field,value_a,value_b,diff_type,reason,confidence,status,suggested_reason,lifecycle,first_seen,age_runs,age_days,decision,side');
    expect(summary.breaks.total).toBeGreaterThan(0);
    expect(csv.length - 1).toBeGreaterThanOrEqual(summary.breaks.total); // quoted values may span lines
    expect(existsSync(join(dir, 'ws', 'runs', `${summary.runId}.duckdb`))).toBe(true);
  });

  it('exits 2 naming a missing input file', async () => {
    const missing = join(dir, 'no-such-dir', 'a.csv');
    const r = await recon('run', '--a', missing, '--b', write('b1.csv', GOOD), '--definition', write('def1.json', JSON.stringify(DEF)), '--workspace', join(dir, 'ws'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error [INPUT_NOT_FOUND]: ${missing}: source A file not found\n`);
  });

  it('exits 2 naming the file and line of an input it cannot read', async () => {
    const a = write('mixed.csv', 'id,amt\n1,1.00\r\n2,2.00\n');
    const r = await recon('run', '--a', a, '--b', write('b2.csv', GOOD), '--definition', write('def2.json', JSON.stringify(DEF)), '--workspace', join(dir, 'ws'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error \\[INPUT_PARSE_ERROR\\]: ${a.replaceAll('.', '\\.')}, line 2: `));
  });

  it('exits 2 with the JSON path of an invalid setting', async () => {
    const def = write('bad-def.json', JSON.stringify({ ...DEF, fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', tolerance: { abs: 'one cent' } }] }));
    const r = await recon('run', '--a', write('a3.csv', GOOD), '--b', write('b3.csv', GOOD), '--definition', def, '--workspace', join(dir, 'ws'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error \\[DEFINITION_INVALID\\]: ${def.replaceAll('.', '\\.')}: invalid recon definition:\\n {2}- fields\\[1\\]\\.tolerance\\.abs: `));
  });

  it('exits 2 on a bad definition every time, wherever the early-started run worker is in loading DuckDB', async () => {
    // Ending the worker inside DuckDB's native module load aborted the process (exit 134) about one time in five.
    const def = write('bad-def-again.json', JSON.stringify({ ...DEF, fields: [{ name: 'id' }, { name: 'amt', type: 'decimal', tolerance: { abs: 'one cent' } }] }));
    const codes: number[] = [];
    for (let i = 0; i < 15; i++) {
      const r = await recon('run', '--a', write('a5.csv', GOOD), '--b', write('b5.csv', GOOD), '--definition', def, '--workspace', join(dir, 'ws'), '--quiet');
      codes.push(r.code);
    }
    expect(codes).toEqual(Array(15).fill(2));
  }, 60_000);

  it('exits 2 with the line and column of a JSON syntax error in the definition', async () => {
    const def = write('syntax.json', '{\n  "name": "cli",\n  "key": ["id"],\n  "fields": [{ "name": "id" },]\n}\n');
    const r = await recon('run', '--a', write('a4.csv', GOOD), '--b', write('b4.csv', GOOD), '--definition', def, '--workspace', join(dir, 'ws'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error \\[DEFINITION_INVALID\\]: ${def.replaceAll('.', '\\.')}, line 4, column \\d+: not valid JSON`));
  });

  it('runs a definition saved in the workspace by its name; a file of that name wins; an unknown name exits 2 listing the saved ones', async () => {
    const ws = join(dir, 'ws-named');
    const store = openStore(ws);
    try {
      // Saved by the user the CLI acts as: the workspace's first user, so its admin.
      saveDefinition(store, currentUser(), { ...DEF, name: 'Cash vs ledger' });
    } finally {
      store.close();
    }
    // Where the new-run screen saved before: imported into the store when the CLI opens the workspace.
    mkdirSync(join(ws, 'definitions'));
    writeFileSync(join(ws, 'definitions', 'legacy.json'), JSON.stringify({ ...DEF, name: 'Legacy' }));
    const a = write('a5.csv', GOOD);
    const b = write('b5.csv', 'id,amt\n1,1.00\n2,2.50\n');
    const named = await recon('run', '--a', a, '--b', b, '--definition', 'Cash vs ledger', '--workspace', ws, '--json', '--quiet');
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ definition: 'Cash vs ledger', breaks: { total: 1 } });
    // The registry records which saved version ran.
    const registry = openStore(ws);
    try {
      const runId = (JSON.parse(named.stdout) as { runId: string }).runId;
      expect(registry.read((tx) => tx.get({ text: 'SELECT definition_version FROM runs WHERE run_id = ?', params: [runId] }))).toEqual({ definition_version: 1 });
    } finally {
      registry.close();
    }
    const legacy = await recon('run', '--a', a, '--b', b, '--definition', 'Legacy', '--workspace', ws, '--json', '--quiet');
    expect(legacy.code, legacy.stderr).toBe(0);
    expect(JSON.parse(legacy.stdout)).toMatchObject({ definition: 'Legacy' });
    // A path that is a file wins over a saved name (the CLI runs in the repository's root).
    const file = write('Cash vs ledger', JSON.stringify({ ...DEF, name: 'from the file' }));
    const fromFile = await recon('run', '--a', a, '--b', b, '--definition', file, '--workspace', ws, '--json', '--quiet');
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ definition: 'from the file' });
    const unknown = await recon('run', '--a', a, '--b', b, '--definition', 'Nope', '--workspace', ws, '--quiet');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`error [INPUT_NOT_FOUND]: --definition Nope: no such file, and no definition of that name is saved in the workspace ${ws} (saved: "Cash vs ledger", "Legacy")\n`);
  });
});
