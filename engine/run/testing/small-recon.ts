/**
 * Small reconciliations for tests: two CSV texts (or bytes) and a definition,
 * run by the real engine in a temporary workspace; the breaks and rejects are
 * read back from the run file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../contract/index.ts';
import { validateDefinition } from '../../definition/load.ts';
import type { DefinitionInput } from '../../definition/schema.ts';
import { openDuckDB, queryRows } from '../../duckdb/open.ts';
import { runRecon } from '../run-recon.ts';

export interface SmallBreak {
  key: string;
  field: string;
  diff_type: string;
  side: string | null;
  value_a: string | null;
  value_b: string | null;
  delta: string | null;
}

export interface SmallOutcome {
  summary: RunSummary;
  breaks: SmallBreak[];
  rejects: { side: string; line: number; column_name: string | null; reason: string }[];
}

/** A runner whose runs live under one temporary folder; `dispose` removes it. */
export function smallRecons(prefix: string): { recon(a: string | Buffer, b: string | Buffer, def: DefinitionInput): Promise<SmallOutcome>; dispose(): void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    async recon(a, b, def) {
      const dir = join(root, `case-${++n}`);
      const aPath = join(dir, 'a.csv');
      const bPath = join(dir, 'b.csv');
      mkdirSync(dir, { recursive: true });
      writeFileSync(aPath, a);
      writeFileSync(bPath, b);
      const summary = await runRecon({ aPath, bPath, definition: validateDefinition(def), workspace: join(dir, 'ws') });
      const db = await openDuckDB({ path: summary.database });
      try {
        const breaks = await queryRows<SmallBreak>(db.connection, 'SELECT key, field, diff_type, side, value_a, value_b, delta FROM breaks ORDER BY break_id');
        const rejects = (
          await queryRows<{ side: string; line: string; column_name: string | null; reason: string }>(db.connection, 'SELECT side, line, column_name, reason FROM rejects ORDER BY side, line')
        ).map((r) => ({ ...r, line: Number(r.line) }));
        return { summary, breaks, rejects };
      } finally {
        db.close();
      }
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Breaks as sorted "key:field:DIFF_TYPE[:side]" lines, for comparing a run's breaks at a glance. */
export const breakTypes = (bs: readonly SmallBreak[]): string[] => bs.map((x) => `${x.key}:${x.field}:${x.diff_type}${x.side ? `:${x.side}` : ''}`).sort();

/** Every input row in one bucket: the counts add up per side, and both rows_accounted checks say so. */
export function expectAccounted(s: RunSummary): void {
  const c = s.counts;
  expect(c.matched + c.missingInB + c.rejectedInB + c.duplicateRowsA + c.rejectedA).toBe(c.a);
  expect(c.matched + c.missingInA + c.rejectedInA + c.duplicateRowsB + c.rejectedB).toBe(c.b);
  const accounted = s.checks.filter((k) => k.name.startsWith('rows_accounted_'));
  expect(accounted.map((k) => k.side).sort()).toEqual(['a', 'b']);
  for (const k of accounted) expect(k.passed, k.message).toBe(true);
}
