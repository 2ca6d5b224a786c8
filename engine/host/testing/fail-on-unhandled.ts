/**
 * No call may take a host down. A suite that starts a host in-process (a
 * service, `recon serve`'s server) imports this module first, for its side
 * effect: an unhandled promise rejection or an uncaught exception while it
 * runs becomes a failure of the test during (or just after) which it
 * happened, naming the error, instead of a process that would have died.
 * host-guard.test.ts checks that every such suite imports it.
 */
import { afterAll, afterEach } from 'vitest';

const escaped: string[] = [];

const text = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 6).join('\n')}` : ''}` : String(e));
const onRejection = (reason: unknown): void => void escaped.push(`unhandled rejection: ${text(reason)}`);
const onException = (err: unknown): void => void escaped.push(`uncaught exception: ${text(err)}`);

process.on('unhandledRejection', onRejection);
process.on('uncaughtException', onException);

/** Throws when anything escaped since the last check. */
export async function assertNothingEscaped(): Promise<void> {
  // A rejection is reported once the microtask queue has drained: give it a turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  if (escaped.length === 0) return;
  const all = escaped.splice(0);
  throw new Error(`${all.length} error(s) escaped the host (a host process would have died):\n${all.join('\n')}`);
}

afterEach(assertNothingEscaped);
afterAll(async () => {
  try {
    await assertNothingEscaped();
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
});
