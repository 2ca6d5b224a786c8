/**
 * The packaged renderer is served from app://recon rather than file://: a file:
 * URL has no origin, so the navigation and IPC sender checks could not tell the
 * app's own page from any other local file.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { securityHeaders } from './csp.ts';
import { originOf } from './origin.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'recon';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Where the main window loads the renderer from, and the origin trusted for it. */
export interface RendererEntry {
  readonly url: string;
  readonly origin: string;
}

/** The Vite dev server in an unpackaged run that electron-vite started, the bundled renderer otherwise. */
export function rendererEntry(devServerUrl: string | undefined, isPackaged: boolean): RendererEntry {
  if (!isPackaged && devServerUrl !== undefined && devServerUrl !== '') {
    const origin = originOf(devServerUrl);
    if (origin !== null) return { url: devServerUrl, origin };
  }
  return { url: `${APP_ORIGIN}/index.html`, origin: APP_ORIGIN };
}

/**
 * The file inside `rendererDir` that an app:// request names, or null when the
 * request is for another host or would escape the folder.
 */
export function resolveAppAsset(rendererDir: string, requestUrl: string): string | null {
  let parsed: URL;
  let pathname: string;
  try {
    parsed = new URL(requestUrl);
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  // NUL and backslashes have no business in an asset path; a backslash would be a
  // separator (and so a way out of the folder) on Windows.
  if (pathname.includes('\u0000') || pathname.includes('\\')) return null;
  const root = path.resolve(rendererDir);
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  return file.startsWith(root + path.sep) ? file : null;
}

/**
 * The answer to an app:// request: the renderer's file as `load` reads it
 * (Electron's net.fetch of its file: URL), or 404, with the desktop CSP and
 * nosniff as response headers on top of the file's own (policy/csp.ts).
 */
export async function appAssetResponse(rendererDir: string, requestUrl: string, load: (fileUrl: string) => Promise<Response>): Promise<Response> {
  const file = resolveAppAsset(rendererDir, requestUrl);
  const base = file === null ? new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } }) : await load(pathToFileURL(file).toString());
  const headers = new Headers(base.headers);
  for (const [name, value] of Object.entries(securityHeaders())) headers.set(name, value);
  return new Response(base.body, { status: base.status, statusText: base.statusText, headers });
}
