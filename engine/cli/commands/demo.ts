import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { resolveWorkspace } from '../workspace.ts';
import { runCommand } from './run.ts';

export const DEMO_USAGE = `recon demo [--rows N] [--workspace DIR]

The main job end to end: generates a pair of sample extracts (once) under
<workspace>/samples/ and reconciles them in the workspace, printing a summary.`;

/** `recon demo`: generate sample extracts if missing, then `recon run` them. */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { rows: { type: 'string', default: '100000' }, workspace: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const workspace = resolveWorkspace(values.workspace);
  const rows = Number(values.rows);
  const dir = join(workspace, 'samples', `trades-${rows}`);
  if (!existsSync(join(dir, 'definition.json'))) {
    process.stderr.write(`Generating ${rows.toLocaleString('en-US')} sample trades into ${dir}\n`);
    await generateExtracts({ rows, outDir: dir, seed: 1 });
  }
  return runCommand([
    '--a', join(dir, 'a.csv'),
    '--b', join(dir, 'b.csv'),
    '--definition', join(dir, 'definition.json'),
    '--workspace', workspace,
    '--out', join(workspace, 'out', 'demo'),
    ...(values.json ? ['--json'] : []),
  ]);
}
