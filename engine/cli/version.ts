import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { openDuckDB, queryOne } from '../duckdb/open.ts';

/** Version, commit and engine versions, for `recon --version` and the About box. */
export async function versionText(): Promise<string> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    // Not a git checkout (an installed app): the commit is stamped at build time later.
  }
  const db = await openDuckDB({ path: ':memory:' });
  try {
    const { v } = await queryOne<{ v: string }>(db.connection, 'SELECT version() AS v');
    return `recon ${pkg.version} (commit ${commit})\nDuckDB ${v}\nNode ${process.versions.node}`;
  } finally {
    db.close();
  }
}
