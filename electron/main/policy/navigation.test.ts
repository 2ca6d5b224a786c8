import { describe, expect, it } from 'vitest';
import { EXTERNAL_OPEN_BUTTON, externalOpenDialog, isAllowedNavigation, isSafeExternalUrl } from './navigation.ts';

describe('isAllowedNavigation', () => {
  const packaged = 'app://recon';
  const dev = 'http://localhost:5173';

  it.each([
    ['app://recon/index.html', packaged],
    ['app://recon/approvals?run=7#top', packaged],
    ['http://localhost:5173/', dev],
    ['http://localhost:5173/settings', dev],
  ])('allows %s within %s', (url, origin) => {
    expect(isAllowedNavigation(url, origin)).toBe(true);
  });

  it.each([
    ['file:///etc/passwd', packaged],
    ['file:///app/out/renderer/index.html', 'file:///app/out/renderer/index.html'],
    ['javascript:alert(1)', packaged],
    ['data:text/html,<script>alert(1)</script>', packaged],
    ['blob:app://recon/1234', packaged],
    ['about:blank', packaged],
    ['https://example.com/', packaged],
    ['app://other/index.html', packaged],
    ['https://recon/index.html', packaged],
    ['http://localhost:5174/', dev],
    ['https://localhost:5173/', dev],
    ['http://127.0.0.1:5173/', dev],
    ['http://localhost:5173@evil.example/', dev],
    ['not a url', packaged],
    ['', packaged],
  ])('denies %s within %s', (url, origin) => {
    expect(isAllowedNavigation(url, origin)).toBe(false);
  });

  it('denies everything when the app origin itself is not a real origin', () => {
    expect(isAllowedNavigation('file:///x.html', 'file://')).toBe(false);
    expect(isAllowedNavigation('app://recon/', 'garbage')).toBe(false);
  });
});

describe('isSafeExternalUrl', () => {
  it.each(['https://example.com/docs', 'http://example.com', 'https://example.com:8443/a?b=c', 'mailto:someone@example.com', 'mailto:ops@example.com?subject=Break%2042'])('accepts %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,hi',
    'smb://server/share',
    'mailto:',
    'mailto:?subject=no-recipient',
    'https://bank.example@evil.example/',
    'https://user:secret@example.com/',
    'app://recon/index.html',
    'ftp://example.com/file',
    'http://',
    'not a url',
  ])('rejects %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });
});

describe('externalOpenDialog', () => {
  it('asks before opening, showing the exact address and its host, Cancel by default', () => {
    const o = externalOpenDialog('https://xn--exmple-cua.example/path?q=1');
    expect(o.type).toBe('question');
    expect(o.detail).toContain('https://xn--exmple-cua.example/path?q=1');
    expect(o.message).toContain('xn--exmple-cua.example');
    expect(o.buttons?.[EXTERNAL_OPEN_BUTTON]).toMatch(/^Open/);
    expect(o.defaultId).not.toBe(EXTERNAL_OPEN_BUTTON);
    expect(o.cancelId).not.toBe(EXTERNAL_OPEN_BUTTON);
    expect(o.noLink).toBe(true);
  });

  it('names the mail recipient for mailto:', () => {
    expect(externalOpenDialog('mailto:ops@example.com?subject=x').message).toContain('ops@example.com');
  });

  it('shows a long address cut short, never an unbounded one', () => {
    const o = externalOpenDialog(`https://example.com/${'a'.repeat(5000)}`);
    expect(o.detail!.length).toBeLessThan(1200);
  });
});
