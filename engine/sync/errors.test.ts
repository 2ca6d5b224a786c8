import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors/recon-error.ts';
import { SYNC_ERROR_CODES } from './errors.ts';

describe('sync error codes', () => {
  it('are the SYNC_ codes of the shared error list, so they cross hosts as data', () => {
    expect(SYNC_ERROR_CODES).toEqual(ERROR_CODES.filter((c) => c.startsWith('SYNC_')));
    expect(SYNC_ERROR_CODES).toContain('SYNC_KEYCHAIN_UNAVAILABLE');
  });
});
