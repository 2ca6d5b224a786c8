import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { resolveDefinition, type ResolvedDefinition } from '../../definition/resolve.ts';
import { definitionSchema } from '../../definition/schema.ts';
import { DUPLICATE_KEYS_SQL } from '../../diff/sql.ts';
import { openDuckDB, type OpenDuckDB } from '../../duckdb/open.ts';
import { loadSource, prepareSource, type LoadContext } from '../../ingest/load-source.ts';
import { REJECTS_DDL } from '../../ingest/rejects.ts';
import { stageSource } from '../../normalize/stage.ts';
import { planMatching, type MatchPlan } from '../plan.ts';

/**
 * Two CSV texts staged for matching the way a run stages them: written to a
 * temp folder, the definition parsed (definitionSchema) and resolved, both
 * sides prepared, loaded and staged on a fresh DuckDB, and `dup_keys` made by
 * the keyed diff's own first statement. The connection then has what
 * runMatching reads: the views `a` and `b` and `dup_keys`.
 */
export interface StagedPair {
  conn: DuckDBConnection;
  resolved: ResolvedDefinition;
  plan: MatchPlan;
  dispose(): Promise<void>;
}

export async function stagePair(csvA: string, csvB: string, definition: unknown, opts: { path?: string; threads?: number } = {}): Promise<StagedPair> {
  const dir = await mkdtemp(join(tmpdir(), 'recon-match-'));
  let db: OpenDuckDB | undefined;
  try {
    const aPath = join(dir, 'a.csv');
    const bPath = join(dir, 'b.csv');
    await writeFile(aPath, csvA);
    await writeFile(bPath, csvB);
    const def = definitionSchema.parse(definition);
    db = await openDuckDB({ path: opts.path ?? ':memory:', ...(opts.threads ? { threads: opts.threads } : {}) });
    const conn = db.connection;
    await conn.run(REJECTS_DDL);
    const ctx: LoadContext = { conn, scratchDir: dir };
    const prepA = await prepareSource(ctx, 'a', aPath, def.sources.a);
    const prepB = await prepareSource(ctx, 'b', bPath, def.sources.b);
    const resolved = resolveDefinition(def, { path: aPath, columns: prepA.columns }, { path: bPath, columns: prepB.columns });
    await stageSource(conn, resolved, await loadSource(ctx, prepA), def.sources.a);
    await stageSource(conn, resolved, await loadSource(ctx, prepB), def.sources.b);
    await conn.run(DUPLICATE_KEYS_SQL);
    if (!def.matching) throw new Error('stagePair: the definition has no matching block');
    const plan = planMatching(resolved, def.matching);
    const opened = db;
    return {
      conn,
      resolved,
      plan,
      async dispose() {
        opened.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    db?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
