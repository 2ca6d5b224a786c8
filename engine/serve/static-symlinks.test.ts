import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/open.ts';
import { startServer, type RunningServer } from './server.ts';

/**
 * A symlink planted in the served folder must not serve what it points to when
 * that lies outside the folder: the static files are the renderer folder's real
 * contents and nothing else. The folder itself may be reached through a symlink
 * (a build output linked into place), and links that stay inside it are fine.
 */
let dir: string;
let store: Store;
let server: RunningServer;
let linkedServer: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-static-links-'));
  const built = join(dir, 'built');
  await mkdir(join(built, 'assets'), { recursive: true });
  await writeFile(join(built, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(built, 'assets', 'app.js'), 'console.log(1)');
  await mkdir(join(dir, 'private'));
  await writeFile(join(dir, 'private', 'secret.txt'), 'secret');
  await writeFile(join(dir, 'secret.txt'), 'secret');
  // The served folder: a copy of the build with links planted in it.
  const renderer = join(dir, 'renderer');
  await cp(built, renderer, { recursive: true });
  await symlink(join(dir, 'secret.txt'), join(renderer, 'leak.txt'));
  await symlink('../../secret.txt', join(renderer, 'assets', 'leak-relative.txt'));
  await symlink(join(dir, 'private'), join(renderer, 'assets', 'private'));
  await symlink('/etc/passwd', join(renderer, 'passwd'));
  await symlink(join(renderer, 'assets', 'app.js'), join(renderer, 'app-link.js'));
  await symlink(join(renderer, 'missing.js'), join(renderer, 'dangling.js'));
  // The same folder reached through a symlink.
  await symlink(renderer, join(dir, 'renderer-link'));
  store = openStore(join(dir, 'ws'));
  const base = { workspace: join(dir, 'ws'), store, user: { userId: 'tester', displayName: 'Tester' }, version: '1.2.3', guardProcess: false };
  server = await startServer({ ...base, rendererDir: renderer });
  linkedServer = await startServer({ ...base, rendererDir: join(dir, 'renderer-link') });
});

afterAll(async () => {
  await server?.close();
  await linkedServer?.close();
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

function get(s: RunningServer, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('recon serve: static files and symlinks', () => {
  it('refuses (404) a symlink whose target is outside the renderer folder, by GET and HEAD', async () => {
    for (const s of [server, linkedServer]) {
      for (const p of ['/leak.txt', '/assets/leak-relative.txt', '/assets/private/secret.txt', '/passwd']) {
        const res = await get(s, p);
        expect(res.status, p).toBe(404);
        expect(res.body).not.toContain('secret');
        expect(res.body).not.toContain('root:');
        expect((await get(s, p, 'HEAD')).status, `HEAD ${p}`).toBe(404);
      }
    }
  });

  it('serves the folder through a symlinked root, and links that stay inside it', async () => {
    for (const s of [server, linkedServer]) {
      expect((await get(s, '/')).status).toBe(200);
      expect((await get(s, '/assets/app.js', 'HEAD')).status).toBe(200);
      expect(await get(s, '/assets/app.js')).toEqual({ status: 200, body: 'console.log(1)' });
      expect(await get(s, '/app-link.js')).toEqual({ status: 200, body: 'console.log(1)' });
      expect((await get(s, '/dangling.js')).status).toBe(404);
    }
  });
});
