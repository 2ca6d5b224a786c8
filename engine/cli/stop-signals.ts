/**
 * The signals that ask a CLI command to stop, and the exit code it then
 * gives: 128 + the signal's number, as a shell reports a process a signal
 * ended. SIGINT is Ctrl-C, SIGTERM what `kill`, `timeout`, systemd and
 * container runtimes send, SIGHUP what a closed terminal sends.
 */
export const STOP_SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

export interface StopSignals {
  /** The first stop signal received, if any. */
  readonly received: StopSignal | undefined;
  /** Gives the signals back their default action (end the process). */
  dispose(): void;
}

/**
 * Until `dispose`, the first SIGINT, SIGTERM or SIGHUP calls `onStop`
 * instead of ending the process, so the command can stop cleanly. A second
 * one (someone insists: the clean stop takes too long) calls `onForce`, then
 * ends the process by that signal's default action, as if it had never been
 * handled: at once, with no exit handlers (a process.exit() here would tear
 * down a worker thread in the middle of a DuckDB call, and abort).
 * Once stopping, write errors on stdout and stderr are ignored: after SIGHUP
 * the terminal is gone, and an EIO there must not crash the clean-up.
 */
export function onStopSignals(onStop: (signal: StopSignal) => void, onForce: (signal: StopSignal) => void = () => undefined): StopSignals {
  let received: StopSignal | undefined;
  const ignore = (): void => undefined;
  const names = Object.keys(STOP_SIGNALS) as StopSignal[];
  const dispose = (): void => {
    for (const name of names) process.off(name, handler);
  };
  function handler(signal: NodeJS.Signals): void {
    const s = signal as StopSignal;
    if (received !== undefined) {
      onForce(s);
      dispose(); // back to the default action…
      process.kill(process.pid, s); // …which this takes
      return;
    }
    received = s;
    process.stdout.on('error', ignore);
    process.stderr.on('error', ignore);
    onStop(s);
  }
  for (const name of names) process.on(name, handler);
  return {
    get received() {
      return received;
    },
    dispose,
  };
}
