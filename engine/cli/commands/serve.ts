import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../package-root.ts';
import { startServer } from '../../serve/server.ts';
import { openStore } from '../../store/open.ts';
import { currentUser } from '../../workflow/identity.ts';
import { resolveWorkspace } from '../workspace.ts';

export const SERVE_USAGE = `recon serve [--workspace DIR] [--port N] [--renderer DIR]

Serves the workstation UI to a browser on 127.0.0.1 (for end-to-end tests and
development without Electron). Build the UI first with "npx electron-vite build".
Prints the URL to open; it carries a token made fresh at every start. Runs until
Ctrl+C. The UI acts as the OS account, or $RECON_USER; several processes (one
per user) may serve the same workspace at once. RECON_QUICK_RETRAIN=1 makes
Settings → Retrain use a small synthetic baseline (demos, tests): seconds, not minutes.
When the workspace has a team connection (Settings → Team connection, or
"recon sync configure"), it syncs with the team's PostgreSQL in the background
while serving; the password comes from the OS keychain, or $PGPASSWORD.`;

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
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const workspace = resolveWorkspace(values.workspace);
  const user = currentUser();
  // One store per process: every call of every page shares it; it closes when serving stops.
  const store = openStore(workspace);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      workspace,
      store,
      user,
      port,
      version: pkg.version,
      quickRetrain: process.env['RECON_QUICK_RETRAIN'] === '1',
      ...(values.renderer !== undefined ? { rendererDir: values.renderer } : {}),
    });
  } catch (err) {
    store.close();
    throw err;
  }
  process.stdout.write(`Recon Workstation is serving on 127.0.0.1 only, as ${user.userId}. Open:\n  ${server.url}\n`);
  hooks.onListening?.(server.url);
  let stop = (): void => {};
  await new Promise<void>((resolvePromise) => {
    stop = () => resolvePromise();
    // Ctrl-C, kill/systemd, and a closed terminal.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
    hooks.signal?.addEventListener('abort', stop, { once: true });
    if (hooks.signal?.aborted) stop();
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  process.off('SIGHUP', stop);
  await server.close();
  store.close();
  return 0;
}
