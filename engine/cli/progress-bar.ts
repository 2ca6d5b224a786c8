import type { ProgressEvent } from '../run/progress.ts';

/**
 * A one-line progress bar on a TTY (stderr); on a pipe or in CI it prints one
 * line per stage instead, so logs stay readable. After `done` (which may be
 * called more than once) it draws nothing more.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr): { update(e: ProgressEvent): void; done(): void } {
  const tty = stream.isTTY === true;
  let lastStage = '';
  let lastDraw = 0;
  let finished = false;
  return {
    update(e) {
      if (finished) return;
      if (!tty) {
        if (e.stage !== lastStage) stream.write(`[${e.stage}] ${e.label}\n`);
        lastStage = e.stage;
        return;
      }
      const now = Date.now();
      if (now - lastDraw < 80 && e.overall < 1) return;
      lastDraw = now;
      const width = 30;
      const filled = Math.round(e.overall * width);
      // A query source streams rows whose total it cannot know in advance: its count so far.
      const rows = e.rowsTotal ? ` ${e.rowsDone.toLocaleString('en-US')}/${e.rowsTotal.toLocaleString('en-US')} rows` : e.rowsDone > 0 ? ` ${e.rowsDone.toLocaleString('en-US')} rows` : '';
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(e.overall * 100)
        .toString()
        .padStart(3)}% ${e.label}${rows}`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1).padEnd(Math.min(stream.columns ?? 100, 100) - 1)}`);
    },
    done() {
      if (finished) return;
      finished = true;
      if (tty && lastDraw > 0) stream.write('\n');
    },
  };
}
