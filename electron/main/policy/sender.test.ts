import { describe, expect, it } from 'vitest';
import { isTrustedSender } from './sender.ts';

describe('isTrustedSender', () => {
  it('trusts frames on the app origin', () => {
    expect(isTrustedSender('app://recon/index.html', 'app://recon')).toBe(true);
    expect(isTrustedSender('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
  });

  it('rejects a missing frame (navigated away or destroyed)', () => {
    expect(isTrustedSender(undefined, 'app://recon')).toBe(false);
  });

  it.each([
    'file:///app/out/renderer/index.html',
    'https://example.com/',
    'app://evil/index.html',
    'about:blank',
    'data:text/html,x',
    'http://localhost:5173/',
    '',
  ])('rejects %s for app://recon', (url) => {
    expect(isTrustedSender(url, 'app://recon')).toBe(false);
  });
});
