/**
 * Origin comparison for the Electron security policy. Node's `URL.origin` is
 * "null" for custom schemes such as app://, so origins are built here from
 * scheme and host; URLs without a real host (file:, data:, javascript:, blob:,
 * about:) never have an origin and so never match anything.
 */

const OPAQUE_SCHEMES: ReadonlySet<string> = new Set(['file:', 'data:', 'javascript:', 'blob:', 'about:', 'filesystem:']);

/** `scheme://host[:port]` of a URL, or null when it is unparsable or has no comparable origin. */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (OPAQUE_SCHEMES.has(parsed.protocol) || parsed.host === '') return null;
  return `${parsed.protocol}//${parsed.host}`;
}

/** True when `url` has a real origin and it equals the origin of `appOrigin`. */
export function hasOrigin(url: string, appOrigin: string): boolean {
  const origin = originOf(url);
  return origin !== null && origin === originOf(appOrigin);
}
