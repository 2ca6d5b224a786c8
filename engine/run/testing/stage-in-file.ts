import { afterAll, beforeAll } from 'vitest';

/**
 * For tests that read back every staged row of a run's file (the views `a` and `b`): a keyed
 * run that fits in memory keeps only the records its breaks name (normalize/break-records.ts),
 * so these runs stage into the file. Staging itself is the same code either way.
 */
export function stageRunsInFile(): void {
  let before: string | undefined;
  beforeAll(() => {
    before = process.env['RECON_STAGE_IN_MEMORY'];
    process.env['RECON_STAGE_IN_MEMORY'] = '0';
  });
  afterAll(() => {
    if (before === undefined) delete process.env['RECON_STAGE_IN_MEMORY'];
    else process.env['RECON_STAGE_IN_MEMORY'] = before;
  });
}
