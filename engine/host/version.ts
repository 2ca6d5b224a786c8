import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { BASELINE_MODEL_PATH, loadCurrentModel } from '../attribution/model-store.ts';
import { openDuckDB, queryOne } from '../duckdb/open.ts';
import { packageRoot } from '../package-root.ts';

/** What `recon --version` and the desktop About box show. */
export interface VersionInfo {
  version: string;
  /** The commit the code was built from ('unknown' when nobody could tell). */
  commit: string;
  duckdb: string;
  sqlite: string;
  /** The model every run uses: the workspace's promoted one, else the shipped baseline. */
  model: { version: string; source: 'workspace' | 'baseline' };
  node: string;
}

export interface VersionInfoOptions {
  version: string;
  commit: string;
  /** Whose promoted model to report; without one, the shipped baseline. */
  workspace?: string;
}

function unavailable(what: string, err: unknown): string {
  return `unavailable (${what}: ${err instanceof Error ? err.message : String(err)})`;
}

/** Never throws: a part that cannot be read says so instead of hiding the rest. */
async function describe(what: string, read: () => Promise<string> | string): Promise<string> {
  try {
    return await read();
  } catch (err) {
    return unavailable(what, err);
  }
}

/** Version, commit, the DuckDB and SQLite libraries actually loaded, and the model version. */
export async function versionInfo(opts: VersionInfoOptions): Promise<VersionInfo> {
  const duckdb = describe('DuckDB', async () => {
    const db = await openDuckDB({ path: ':memory:' });
    try {
      return (await queryOne<{ v: string }>(db.connection, 'SELECT version() AS v')).v;
    } finally {
      db.close();
    }
  });
  const sqlite = describe('SQLite', () => {
    const db = new Database(':memory:');
    try {
      return db.prepare<[], string>('SELECT sqlite_version()').pluck().get() ?? 'unknown';
    } finally {
      db.close();
    }
  });
  const model = loadCurrentModel(opts.workspace).then(
    ({ model: m, path }): VersionInfo['model'] => ({ version: m.version, source: path === BASELINE_MODEL_PATH ? 'baseline' : 'workspace' }),
    (err: unknown): VersionInfo['model'] => ({ version: unavailable('model', err), source: 'baseline' }),
  );
  return {
    version: opts.version,
    commit: opts.commit,
    duckdb: await duckdb,
    sqlite: await sqlite,
    model: await model,
    node: process.versions.node,
  };
}

/** The lines `recon --version` prints (the About box shows the same facts). */
export function formatVersionInfo(info: VersionInfo, name = 'recon'): string {
  return [
    `${name} ${info.version} (commit ${info.commit})`,
    `DuckDB ${info.duckdb}`,
    `SQLite ${info.sqlite}`,
    `Model ${info.model.version} (${info.model.source === 'workspace' ? 'promoted in this workspace' : 'shipped baseline'})`,
    `Node ${info.node}`,
  ].join('\n');
}

/**
 * The checkout's commit: `git describe` of the repository this file is in,
 * `-dirty` with uncommitted changes; 'unknown' outside a git checkout (an
 * installed package). The desktop app is stamped at build time instead.
 */
export function checkoutCommit(dir = packageRoot()): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12', '--exclude=*'], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}
