import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, hasValidToken, isAllowedHost, isAllowedOrigin, newToken, offeredProtocols } from './security.ts';

describe('browser host guards', () => {
  const token = newToken();

  it('makes a fresh 256-bit token each time', () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(newToken()).not.toBe(token);
  });

  it('accepts only the loopback host and the page origin on our port', () => {
    expect(isAllowedHost('127.0.0.1:4000', 4000)).toBe(true);
    for (const h of ['localhost:4000', '127.0.0.1:4001', 'evil.example:4000', '127.0.0.1', undefined]) expect(isAllowedHost(h, 4000)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:4000', 4000)).toBe(true);
    for (const o of ['http://localhost:4000', 'https://127.0.0.1:4000', 'http://127.0.0.1:4001', 'null', 'http://evil.example', undefined]) {
      expect(isAllowedOrigin(o, 4000)).toBe(false);
    }
  });

  it('wants the bridge protocol and the exact token', () => {
    expect(hasValidToken(offeredProtocols(`recon.v1, recon.token.${token}`), token)).toBe(true);
    expect(hasValidToken(offeredProtocols(['recon.v1', `recon.token.${token}`]), token)).toBe(true);
    expect(hasValidToken(offeredProtocols(`recon.token.${token}`), token)).toBe(false);
    expect(hasValidToken(offeredProtocols('recon.v1'), token)).toBe(false);
    expect(hasValidToken(offeredProtocols(`recon.v1, recon.token.${token.slice(1)}`), token)).toBe(false);
    expect(hasValidToken(offeredProtocols(`recon.v1, recon.token.${newToken()}`), token)).toBe(false);
    expect(hasValidToken(offeredProtocols(undefined), token)).toBe(false);
  });

  it('sends a CSP that allows scripts from itself only and the bridge socket only', () => {
    const csp = contentSecurityPolicy(4000);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('connect-src ws://127.0.0.1:4000');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });
});
