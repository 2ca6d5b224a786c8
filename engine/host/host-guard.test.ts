import { assertNothingEscaped } from './testing/fail-on-unhandled.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import unitConfig from '../../vitest.config.ts';
import { packageRoot } from '../package-root.ts';
import { guardHostProcess, HOST_ESCAPE_PREFIX } from './process-guard.ts';

/**
 * No call may take a host down, and a test must notice when one would have:
 * every unit suite runs testing/fail-on-unhandled.ts first (vitest.config.ts),
 * and every end-to-end host goes through the harness, which watches the
 * process. This suite checks both rules hold for
 * every test file, and that the hosts' own guard logs what escaped.
 */
const ROOT = packageRoot();

function files(dir: string, suffix: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

describe('hosts under test', () => {
  it('every unit suite fails on an unhandled rejection or uncaught exception (the config runs the guard first)', () => {
    expect(unitConfig.test?.setupFiles).toContain('engine/host/testing/fail-on-unhandled.ts');
    // The suites that start a host say so explicitly too.
    const starts = /\b(createService|serviceOn|startServer|serveCommand)\(/;
    const silent = files('engine', '.test.ts').filter((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return starts.test(text) && !text.includes('testing/fail-on-unhandled.ts');
    });
    // Files of other areas may rely on the config alone; those of this folder may not.
    expect(silent.filter((f) => f.startsWith('engine/host/'))).toEqual([]);
  });

  it('every end-to-end suite starts its hosts through the harness, which fails a test when one dies', () => {
    const offenders = files('e2e', '.e2e.test.ts').filter((f) => /scripts\/serve\.ts|spawn\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it("a host's guard logs an escaped rejection with the prefix the harness looks for, and keeps the process alive", async () => {
    const lines: string[] = [];
    const unguard = guardHostProcess('test host', (l) => void lines.push(l));
    try {
      process.emit('unhandledRejection', new Error('boom'), Promise.resolve());
      expect(lines.join('')).toContain(`${HOST_ESCAPE_PREFIX} (test host, unhandled rejection): Error: boom`);
      // This suite's own guard saw it too, and would fail the test: that is the other half of the rule.
      await expect(assertNothingEscaped()).rejects.toThrow(/unhandled rejection: Error: boom/);
    } finally {
      unguard();
    }
  });
});
