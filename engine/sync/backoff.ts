/**
 * Retry delays: exponential, with jitter so a team's workstations that lost
 * the server together do not reconnect in lockstep, and capped at 5 minutes so
 * a long outage is noticed soon after it ends.
 */

/** Backoff tuning; the defaults are the product's. */
export interface BackoffOptions {
  /** The first retry's nominal delay (default 1 s). */
  baseMs?: number;
  /** No delay is ever longer (default 5 minutes). */
  capMs?: number;
  /** A number in [0, 1) (default Math.random; tests pass a fixed one). */
  random?: () => number;
}

export const BACKOFF_CAP_MS = 5 * 60_000;

/** The delay before retry number `attempt` (0-based): in [d/2, d] with d = min(cap, base * 2^attempt). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const cap = opts.capMs ?? BACKOFF_CAP_MS;
  const random = opts.random ?? Math.random;
  // 2^attempt overflows to Infinity for large attempts; min() keeps it at the cap.
  const nominal = Math.min(cap, base * 2 ** Math.max(0, attempt));
  return Math.min(cap, Math.round(nominal / 2 + random() * (nominal / 2)));
}
