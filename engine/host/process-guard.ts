/**
 * The last line of defence of a host process (the Electron main process,
 * `recon serve`): an unhandled promise rejection or an uncaught exception is
 * logged on stderr with a fixed prefix, and the host goes on serving; by
 * Node's default either would end the process and every window with it.
 * Handlers answer errors as data and every async path catches its own, so
 * this should never fire: the end-to-end harness fails a test when a host
 * logs this prefix (e2e/harness.ts), and in-process suites fail on the event
 * itself (testing/fail-on-unhandled.ts).
 */

/** What a guarded host writes before the error; tests look for it. */
export const HOST_ESCAPE_PREFIX = '[host] escaped error';

/** Installs the guard; returns a function that removes it. */
export function guardHostProcess(host: string, write: (line: string) => void = (line) => process.stderr.write(line)): () => void {
  const describe = (e: unknown): string => (e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e));
  const onRejection = (reason: unknown): void => write(`${HOST_ESCAPE_PREFIX} (${host}, unhandled rejection): ${describe(reason)}\n`);
  const onException = (err: unknown): void => write(`${HOST_ESCAPE_PREFIX} (${host}, uncaught exception): ${describe(err)}\n`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
