/**
 * `recon serve` as a standalone entry, for the e2e tests and the grid
 * benchmark (and for anyone until the CLI dispatch lists `serve`):
 *   npx tsx scripts/serve.ts --workspace DIR [--port N]
 */
import { serveCommand } from '../engine/cli/commands/serve.ts';
import { toErrorData } from '../engine/errors/recon-error.ts';

try {
  process.exitCode = await serveCommand(process.argv.slice(2));
} catch (err) {
  const e = toErrorData(err);
  process.stderr.write(`error [${e.code}]: ${e.message}\n`);
  process.exitCode = 2;
}
