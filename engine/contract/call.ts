import type { z } from 'zod';

/**
 * One call of the contract: one object argument with its zod schema, and the
 * result's schema. `args` is parsed at every boundary (IPC, WebSocket) before
 * any handler runs; `result` documents the reply and is checked by the tests.
 */
export interface CallSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  /** One line for people: what the call does. */
  readonly summary: string;
  readonly args: A;
  readonly result: R;
}

/** Declares a call; the identity function keeps the schemas' exact types. */
export function defineCall<A extends z.ZodType, R extends z.ZodType>(spec: CallSpec<A, R>): CallSpec<A, R> {
  return spec;
}
