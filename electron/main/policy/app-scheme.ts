/**
 * The packaged renderer is served from app://recon rather than file://: a file:
 * URL has no origin, so the navigation and IPC sender checks could not tell the
 * app's own page from any other local file.
 */
import path from 'node:path';
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
