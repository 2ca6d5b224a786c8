/**
 * The desktop renderer's Content-Security-Policy, sent as a response header by
 * the app:// protocol handler (app-protocol.ts) on top of the meta tag in
 * renderer/index.html. A page obeys every policy it is given, so the header
 * narrows the meta tag: that one also serves the browser host (`recon serve`,
 * whose own header narrows it to its WebSocket port) and so lets the page
 * connect to its own origin ('self', which covers the bridge's ws: URL). The desktop renderer talks to the engine over
 * IPC only: it needs no connection at all. A header can also say what a meta
 * tag cannot (frame-ancestors).
 */

/** Each directive of the desktop CSP, in the order it is sent. */
export const DESKTOP_CSP_DIRECTIVES: readonly (readonly [string, string])[] = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  // AG Grid injects <style> elements and style attributes at run time.
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  // No fetch, XHR, WebSocket or EventSource: the preload's IPC is the only way out.
  ['connect-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** The header value. */
export const DESKTOP_CSP = DESKTOP_CSP_DIRECTIVES.map(([name, value]) => `${name} ${value}`).join('; ');

/** The headers every app:// response carries on top of its own. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': DESKTOP_CSP,
    // A file is what its extension says, never sniffed into a script.
    'X-Content-Type-Options': 'nosniff',
  };
}

/** Parses a CSP into directive → sources (tests compare the header with the meta tag through it). */
export function parseCsp(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name !== undefined && name !== '' && !out.has(name.toLowerCase())) out.set(name.toLowerCase(), sources);
  }
  return out;
}
