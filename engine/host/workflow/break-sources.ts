/**
 * The workflow's view of a run's breaks (engine/workflow/run-breaks.ts) for
 * decisions, kept open for the last few runs reviewed: a reviewer pressing
 * `a` break after break should not reopen the file each time. Run files never
 * change after the run, so an open source never goes stale.
 */
import type { BreakSource } from '../../workflow/breaks.ts';
import { openRunBreaks } from '../../workflow/run-breaks.ts';

const MAX_OPEN = 2;

export class BreakSources {
  readonly #open = new Map<string, Promise<BreakSource>>();
  readonly #pathOf: (runId: string) => string;

  constructor(pathOf: (runId: string) => string) {
    this.#pathOf = pathOf;
  }

  async get(runId: string): Promise<BreakSource> {
    const hit = this.#open.get(runId);
    if (hit !== undefined) {
      this.#open.delete(runId);
      this.#open.set(runId, hit);
      return hit;
    }
    const opening = openRunBreaks(this.#pathOf(runId));
    this.#open.set(runId, opening);
    opening.catch(() => this.#open.delete(runId));
    while (this.#open.size > MAX_OPEN) {
      const oldest = this.#open.keys().next().value as string;
      const s = this.#open.get(oldest);
      this.#open.delete(oldest);
      // Closed once it has opened; an open that failed, or a close that throws, has nothing left to do.
      void s?.then((x) => x.close()).catch(() => undefined);
    }
    return opening;
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    for (const s of all) {
      try {
        (await s.catch(() => null))?.close();
      } catch {
        // Closing at shutdown: a file that will not close is released with the process.
      }
    }
  }
}
