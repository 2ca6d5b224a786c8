import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP_CSP, parseCsp, securityHeaders } from './csp.ts';

/** The meta CSP of the renderer's page, as the build ships it. */
function metaCsp(): string {
  const html = readFileSync(join(import.meta.dirname, '../../../renderer/index.html'), 'utf8');
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('renderer/index.html has no meta CSP');
  return m[1];
}

describe('the desktop CSP header', () => {
  const header = parseCsp(DESKTOP_CSP);

  it('allows no connection: the desktop renderer reaches the engine over IPC only', () => {
    expect(header.get('connect-src')).toEqual(["'none'"]);
    expect(DESKTOP_CSP).not.toMatch(/127\.0\.0\.1|localhost|ws:|http:|\*/);
  });

  it('says what only a header can: no framing', () => {
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('is the meta tag with connect-src narrowed: every other directive the same, none missing', () => {
    const meta = parseCsp(metaCsp());
    for (const [name, sources] of meta) {
      if (name === 'connect-src') continue;
      expect(header.get(name), name).toEqual(sources);
    }
    expect([...header.keys()].filter((n) => !meta.has(n))).toEqual(['frame-ancestors']);
  });

  it("narrows the meta tag's connect-src, which allows the page's own origin only (the browser host's bridge)", () => {
    expect(parseCsp(metaCsp()).get('connect-src')).toEqual(["'self'"]);
  });

  it('keeps scripts to the app itself: no inline or eval', () => {
    expect(header.get('default-src')).toEqual(["'none'"]);
    expect(header.get('script-src')).toEqual(["'self'"]);
  });

  it('travels with nosniff', () => {
    expect(securityHeaders()).toEqual({ 'Content-Security-Policy': DESKTOP_CSP, 'X-Content-Type-Options': 'nosniff' });
  });
});
