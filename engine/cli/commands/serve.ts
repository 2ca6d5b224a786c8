import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startServer } from '../../serve/server.ts';
import { resolveWorkspace } from '../workspace.ts';

export const SERVE_USAGE = `recon serve [--workspace DIR] [--port N] [--renderer DIR]

Serves the workstation UI to a browser on 127.0.0.1 (for end-to-end tests and
development without Electron). Build the UI first with "npx electron-vite build".
Prints the URL to open; it carries a token made fresh at every start. Runs until
Ctrl+C.`;

export interface ServeHooks {
  /** Stops the server (tests); otherwise SIGINT or SIGTERM does. */
  signal?: AbortSignal;
  /** Called once listening, with the URL (tests). */
  onListening?: (url: string) => void;
}

/** `recon serve`: the browser host. Returns the exit code once stopped. */
export async function serveCommand(argv: string[], hooks: ServeHooks = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      port: { type: 'string' },
      renderer: { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number (0-65535), got ${values.port}\n`);
    return 2;
  }
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const server = await startServer({
    workspace: resolveWorkspace(values.workspace),
    port,
    version: pkg.version,
    ...(values.renderer !== undefined ? { rendererDir: values.renderer } : {}),
  });
  process.stdout.write(`Recon Workstation is serving on 127.0.0.1 only. Open:\n  ${server.url}\n`);
  hooks.onListening?.(server.url);
  let stop = (): void => {};
  await new Promise<void>((resolvePromise) => {
    stop = () => resolvePromise();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    hooks.signal?.addEventListener('abort', stop, { once: true });
    if (hooks.signal?.aborted) stop();
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await server.close();
  return 0;
}
