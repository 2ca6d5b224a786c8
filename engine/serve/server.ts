/**
 * The browser host: the built renderer and the contract's WebSocket bridge on
 * 127.0.0.1, guarded by a token made fresh at every start. It exists for the
 * end-to-end tests in a real Chromium and for development without Electron;
 * it is not a multi-user server.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ReconError } from '../errors/recon-error.ts';
import { guardHostProcess } from '../host/process-guard.ts';
import { createService, type Service } from '../host/service.ts';
import { packageRoot } from '../package-root.ts';
import type { Store } from '../store/store.ts';
import type { Identity } from '../workflow/identity.ts';
import { isAllowedHost, LOOPBACK, newToken, pageOrigin } from './security.ts';
import { serveStatic } from './static-files.ts';
import { createBridge } from './ws-bridge.ts';

/** Where `npx electron-vite build` puts the renderer. */
export const DEFAULT_RENDERER_DIR = join(packageRoot(), 'out', 'renderer');

export interface ServeOptions {
  workspace: string;
  /** The workspace's workflow store, opened once by the process (the server does not close it). */
  store: Store;
  /** Who acts through this server: the OS account or $RECON_USER. */
  user: Identity;
  /** 0 (default) picks a free port. */
  port?: number;
  rendererDir?: string;
  version: string;
  /** A fixed token, for tests only; normally a fresh random one. */
  token?: string;
  /** Retrain on a small synthetic baseline (tests, demos). */
  quickRetrain?: boolean;
  /** Log (and survive) unhandled rejections and uncaught exceptions of this process while serving (default true). */
  guardProcess?: boolean;
}

export interface RunningServer {
  port: number;
  token: string;
  /** The page's URL with the token in its fragment (fragments never reach the server or its logs). */
  url: string;
  service: Service;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const rendererDir = opts.rendererDir ?? DEFAULT_RENDERER_DIR;
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new ReconError('INPUT_NOT_FOUND', `${rendererDir} has no built renderer: run "npx electron-vite build" first`, { file: rendererDir });
  }
  const token = opts.token ?? newToken();
  let port = 0;
  // The bridge and the service refer to each other: calls go in, events come out.
  const bridge = createBridge({ token, port: () => port, service: () => service });
  const service: Service = createService({
    workspace: opts.workspace,
    host: 'browser',
    version: opts.version,
    store: opts.store,
    user: opts.user,
    quickRetrain: opts.quickRetrain ?? false,
    emit: (e) => bridge.broadcast(e),
  });

  const server: Server = createServer((req, res) => {
    if (!isAllowedHost(req.headers.host, port)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Misdirected request');
      return;
    }
    serveStatic(rendererDir, port, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('upgrade', (req, socket, head) => bridge.upgrade(req, socket, head));
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, LOOPBACK, () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  // After listening, a server error (none is expected) is logged: with no listener it would end the process.
  server.on('error', (err) => process.stderr.write(`[serve] server error: ${err.message}\n`));
  // The process serves the UI: nothing that escapes a handler may end it (see host/process-guard.ts).
  const unguard = opts.guardProcess === false ? () => undefined : guardHostProcess('recon serve');

  return {
    port,
    token,
    url: `${pageOrigin(port)}/#token=${token}`,
    service,
    async close() {
      bridge.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await service.close();
      unguard();
    },
  };
}
