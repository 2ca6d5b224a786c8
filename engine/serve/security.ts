/**
 * The browser host's guards, pure so they are tested without a server. The
 * host binds 127.0.0.1 only; these checks add that a request names that very
 * host (no DNS rebinding), that a WebSocket comes from the page the host
 * served (Origin), and that it carries the per-start token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BRIDGE_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../contract/bridge.ts';

export const LOOPBACK = '127.0.0.1';

/** A fresh random token for one start of the host (256 bits, hex). */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** The origin the host's page has, and the only one allowed to open the bridge. */
export function pageOrigin(port: number): string {
  return `http://${LOOPBACK}:${port}`;
}

/** True when the Host header names the loopback address and our port. */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `${LOOPBACK}:${port}`;
}

/** True when a WebSocket handshake comes from the host's own page. */
export function isAllowedOrigin(originHeader: string | undefined, port: number): boolean {
  return originHeader === pageOrigin(port);
}

/** The subprotocols a handshake offers (Sec-WebSocket-Protocol is a comma-separated list). */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** True when the handshake offers the bridge protocol and the right token, compared in constant time. */
export function hasValidToken(protocols: readonly string[], token: string): boolean {
  if (!protocols.includes(BRIDGE_PROTOCOL)) return false;
  const offered = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
  if (offered === undefined) return false;
  const a = Buffer.from(offered);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The page's Content-Security-Policy: the meta CSP of index.html, plus what only a header can say. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // AG Grid injects <style> elements and style attributes at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ws://${LOOPBACK}:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
