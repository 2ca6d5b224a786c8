import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStore, prepareWorkspace, reported, startWriter, writerCommand } from './testing/crash-harness.ts';
import { tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('recon-conc-');
  prepareWorkspace(tmp.dir);
});
afterEach(() => tmp.cleanup());

const count = (table: string): number => {
  const db = new Database(join(tmp.dir, 'workspace.sqlite'), { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('two processes on one workspace', () => {
  it('interleave their writes without corrupting the store or losing one', async () => {
    const cmd = await writerCommand();
    const writers = [1, 2, 3].map((seed) => startWriter(cmd, tmp.dir, seed, ['--ops', '150'], false));
    await Promise.all(writers.map((w) => w.exited));
    for (const w of writers) {
      expect(w.stderr.join('')).toBe('');
      expect(w.proc.exitCode).toBe(0);
      expect(w.lines.at(-1)).toBe('done');
      // Racing for the same break is refused cleanly; nobody waited past the busy timeout.
      expect(w.lines.filter((l) => l.startsWith('refused') && l !== 'refused ILLEGAL_TRANSITION')).toEqual([]);
    }
    const all = writers.map((w) => reported(w.lines));
    const committed = { decisions: all.flatMap((r) => r.decisions), approvals: all.flatMap((r) => r.approvals) };
    expect(checkStore(tmp.dir, committed)).toEqual([]);
    // Everything reported, and nothing else: the seeded users and run wrote no decisions.
    expect(count('decisions')).toBe(committed.decisions.length);
    expect(count('approvals')).toBe(committed.approvals.length);
  }, 60_000);

  it('a writer waits for a lock held briefly, and gets STORE_BUSY when it is held too long', async () => {
    const cmd = await writerCommand();
    const holder = new Database(join(tmp.dir, 'workspace.sqlite'));
    holder.exec('BEGIN IMMEDIATE');
    const patient = startWriter(cmd, tmp.dir, 5, ['--ops', '1', '--busy-ms', '10000'], false);
    const impatient = startWriter(cmd, tmp.dir, 6, ['--ops', '2', '--busy-ms', '100'], false);
    await impatient.exited;
    expect(impatient.lines).toEqual(['open', 'refused STORE_BUSY', 'refused STORE_BUSY', 'done']);
    // The patient writer opened the store (reads never wait) and is still waiting for the lock.
    while (!patient.lines.includes('open')) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    expect(patient.lines).toEqual(['open']);
    holder.exec('COMMIT');
    holder.close();
    await patient.exited;
    expect(patient.lines.at(-1)).toBe('done');
    expect(reported(patient.lines).decisions.length + reported(patient.lines).approvals.length).toBe(1);
    expect(checkStore(tmp.dir, reported(patient.lines))).toEqual([]);
  }, 60_000);
});
