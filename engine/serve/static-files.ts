/** Serves the built renderer (out/renderer) with the strict CSP; nothing outside that folder. */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { contentSecurityPolicy } from './security.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The file under `root` a URL path names, or null when it would leave the folder or is malformed. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(urlPath, 'http://x').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\u0000') || pathname.includes('\\')) return null;
  const base = resolve(root);
  const rel = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = resolve(base, rel);
  return file.startsWith(base + sep) ? file : null;
}

/**
 * Opens the file a URL path names when its real path (every symlink followed) is inside the real
 * path of `root`, and it is a regular file; null otherwise. A link planted in the folder that points
 * out of it (to ~/.ssh, /etc) is refused like `..`; the root itself may be a link (a build linked
 * into place), and links that stay inside it are followed. The file is opened by its real path, not
 * following a link in its last part, so a link swapped in after the check is not followed either.
 */
export async function openStaticFile(root: string, file: string): Promise<{ handle: FileHandle; size: number } | null> {
  let realRoot: string;
  let realFile: string;
  try {
    [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
  } catch {
    return null; // missing, a dangling link, a loop: all simply not found
  }
  if (!realFile.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return null;
  // O_NOFOLLOW does not exist on Windows (0 there).
  const handle = await open(realFile, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch(() => null);
  if (handle === null) return null;
  const info = await handle.stat().catch(() => null);
  if (info === null || !info.isFile()) {
    await handle.close();
    return null;
  }
  return { handle, size: info.size };
}

/** Answers one GET/HEAD for a static file. */
export async function serveStatic(root: string, port: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  const file = resolveStaticPath(root, req.url ?? '/');
  const opened = file === null ? null : await openStaticFile(root, file);
  if (file === null || opened === null) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(opened.size),
    // Hashed assets never change; index.html must be fetched fresh to pick up a new build.
    'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    await opened.handle.close();
    res.end();
    return;
  }
  // pipeline: a read that fails after the headers (the file removed by a rebuild, an unreadable file)
  // ends this response and rejects here; with pipe() its 'error' would be uncaught and end the host.
  // The stream closes the handle when it ends or fails.
  await pipeline(opened.handle.createReadStream(), res);
}
