import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, contract, contractEventSchema } from './index.ts';

/** Every module the contract pulls in, following relative imports (type-only ones too). */
function importClosure(entry: string): { files: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...seen], packages };
}

describe('the contract', () => {
  it('lists the same calls in names.ts and in the call table', () => {
    expect(Object.keys(contract).sort()).toEqual([...CALL_NAMES].sort());
  });

  it('has an argument schema, a result schema and a summary for every call', () => {
    for (const name of CALL_NAMES) {
      const spec = contract[name];
      expect(spec.summary.length, name).toBeGreaterThan(10);
      expect(typeof spec.args.safeParse, name).toBe('function');
      expect(typeof spec.result.safeParse, name).toBe('function');
    }
  });

  it('pulls in no Node module, so the sandboxed renderer and preload can import it', () => {
    const here = import.meta.dirname;
    for (const entry of ['index.ts', 'names.ts', 'api.ts', 'bridge.ts']) {
      const { files, packages } = importClosure(join(here, entry));
      const node = [...packages].filter((p) => p.startsWith('node:') || builtinModules.includes(p.split('/')[0]!));
      expect(node, `${entry} reaches ${files.join(', ')}`).toEqual([]);
      expect([...packages].every((p) => p === 'zod'), `${entry} imports ${[...packages].join(', ')}`).toBe(true);
    }
    // The preload bundles names.ts: it must stay free of zod too.
    expect(importClosure(join(here, 'names.ts')).packages.size).toBe(0);
  });

  it('describes the events the host pushes', () => {
    expect(contractEventSchema.safeParse({ type: 'run.finished', runId: 'r', status: 'FAILED', error: { code: 'INPUT_PARSE_ERROR', message: 'a.csv, line 3: bad' } }).success).toBe(true);
    expect(contractEventSchema.safeParse({ type: 'run.finished', runId: 'r', status: 'EXPLODED', error: null }).success).toBe(false);
  });
});
