import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors/recon-error.ts';
import { SYNC_ERROR_CODES } from './errors.ts';

describe('sync error codes', () => {
  it('are all known to the shared error list, so they cross hosts as data', () => {
    for (const code of SYNC_ERROR_CODES) expect(ERROR_CODES as readonly string[]).toContain(code);
  });
});
