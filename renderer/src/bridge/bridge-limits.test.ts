import { describe, expect, it } from 'vitest';
// A test, not page code: it pins the page's copy of the limit to the host's, which the page cannot import.
// eslint-disable-next-line no-restricted-imports
import { MAX_MESSAGE_MIB } from '../../../engine/serve/ws-bridge.ts';
import { BRIDGE_MAX_MESSAGE_BYTES, closedError, oversizeError } from './bridge-limits.ts';

describe('the bridge message limit', () => {
  it('is the host’s', () => {
    expect(BRIDGE_MAX_MESSAGE_BYTES).toBe(MAX_MESSAGE_MIB * 1024 * 1024);
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(oversizeError('definitions.save', 'x'.repeat(100), 100)).toBeNull();
    expect(oversizeError('definitions.save', 'x'.repeat(101), 100)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'MESSAGE_TOO_BIG', bytes: 101, limit: 100, call: 'definitions.save' } });
    // 40 characters of 3 bytes each: 120 bytes.
    expect(oversizeError('definitions.save', '€'.repeat(40), 100)).toMatchObject({ details: { bytes: 120 } });
    expect(oversizeError('definitions.save', '€'.repeat(33), 100)).toBeNull();
  });

  it('says what was too big, by how much, and that nothing was sent', () => {
    const e = oversizeError('definitions.save', 'x'.repeat(70 * 1024 * 1024));
    expect(e?.message).toBe("definitions.save: the call is 70.0 MiB, more than the 64.0 MiB the browser host's connection takes; it was not sent");
  });
});

describe('a socket the host closed', () => {
  it('over a message it refused (1009, 1007) answers with the host’s reason', () => {
    const big = closedError(1009, 'message too big: the bridge takes messages of at most 64 MiB', true);
    expect(big).toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'BRIDGE_REFUSED', closeCode: 1009 } });
    expect(big.message).toContain('(1009: message too big: the bridge takes messages of at most 64 MiB)');
    expect(big.message).not.toContain('connection to the engine was lost');
    // No reason given: what the code means.
    expect(closedError(1007, '', true).message).toContain('(1007: invalid UTF-8 in a text message)');
  });

  it('for any other reason is a lost connection, reconnecting or not', () => {
    expect(closedError(1006, '', true)).toEqual({ code: 'INTERNAL_ERROR', message: 'the connection to the engine was lost; reconnecting', details: { closeCode: 1006 } });
    expect(closedError(1001, 'going away', false).message).toContain('reload the page');
  });
});
