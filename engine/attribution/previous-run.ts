import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The previous completed run of the same definition in a workspace, for the
 * "same key broke last time" features. Reads the `runs/<run-id>.json`
 * summaries every run writes; run ids sort by time, so "previous" is the
 * greatest id below the current one whose database still exists.
 */
export async function findPreviousRunDb(workspace: string, definitionName: string, currentRunId: string): Promise<string | undefined> {
  const dir = join(workspace, 'runs');
  if (!existsSync(dir)) return undefined;
  const ids = (await readdir(dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter((id) => id < currentRunId)
    .sort()
    .reverse();
  for (const id of ids) {
    try {
      const s = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as { definition?: unknown; status?: unknown; database?: unknown };
      if (s.definition === definitionName && s.status === 'COMPLETED' && typeof s.database === 'string' && existsSync(s.database)) return s.database;
    } catch {
      // A summary being written or damaged is no previous run; keep looking.
    }
  }
  return undefined;
}
