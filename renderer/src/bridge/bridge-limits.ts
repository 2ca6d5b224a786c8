/**
 * What the browser host's bridge takes, and how the page says so when it does not. The host
 * (engine/serve/ws-bridge.ts, MAX_MESSAGE_MIB) closes a socket that sends a larger message with
 * 1009, and one that sends invalid UTF-8 with 1007, each with a reason; without these the page
 * could only say the connection was lost. Pure, so it is tested without a browser.
 */
import type { ErrorData } from '../../../engine/contract/index.ts';

/** The largest message the bridge takes, in bytes (UTF-8): the host's 64 MiB (bridge-limits.test.ts keeps them equal). */
export const BRIDGE_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The close codes the host sends for a message it refuses (RFC 6455). */
const REFUSED_CLOSE_CODES: Record<number, string> = {
  1007: 'invalid UTF-8 in a text message',
  1009: `message too big: the bridge takes messages of at most ${BRIDGE_MAX_MESSAGE_BYTES / 1024 / 1024} MiB`,
};

/**
 * Why a call's message (`text`, its JSON) is not sent: more UTF-8 bytes than the bridge takes. Null
 * when it fits; a message short enough to fit however it encodes is not encoded to count.
 */
export function oversizeError(name: string, text: string, limit = BRIDGE_MAX_MESSAGE_BYTES): ErrorData | null {
  // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, two units, takes 4).
  if (text.length * 3 <= limit) return null;
  const bytes = new TextEncoder().encode(text).length;
  if (bytes <= limit) return null;
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return {
    code: 'INVALID_ARGUMENT',
    message: `${name}: the call is ${mib(bytes)}, more than the ${mib(limit)} the browser host's connection takes; it was not sent`,
    details: { call: name, reason: 'MESSAGE_TOO_BIG', bytes, limit },
  };
}

/** What the calls in flight are answered with when the socket closes with `code` and `reason` (`reconnecting`: the transport tries again). */
export function closedError(code: number, reason: string, reconnecting: boolean): ErrorData {
  const then = reconnecting ? 'reconnecting' : 'reload the page, or start recon serve again if it stopped';
  const refused = REFUSED_CLOSE_CODES[code];
  if (refused !== undefined) {
    const why = reason.trim() !== '' ? reason.trim() : refused;
    return {
      code: 'INVALID_ARGUMENT',
      message: `the browser host refused a message and closed the connection (${code}: ${why}); the calls in flight were not answered; ${then}`,
      details: { reason: 'BRIDGE_REFUSED', closeCode: code, closeReason: why },
    };
  }
  return { code: 'INTERNAL_ERROR', message: `the connection to the engine was lost; ${then}`, details: { closeCode: code, ...(reason.trim() !== '' ? { closeReason: reason.trim() } : {}) } };
}
