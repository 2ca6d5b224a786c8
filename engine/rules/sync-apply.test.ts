/**
 * Team sync re-derives reason-rule rows from pulled rule events on every
 * cycle (sync-apply.ts). Finding the events still to examine must not read
 * the whole trail, which holds millions of events after a year; the rule
 * events are a few hundred of them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { pendingRuleEventsSql } from './sync-apply.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;

beforeEach(() => {
  tmp = tempDir('recon-rule-sync-apply-');
  store = openStore(tmp.dir);
});

afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('the rule events a pull still has to examine', () => {
  it('are found through an index of rule events, not by scanning the trail', () => {
    const q = pendingRuleEventsSql(['own-device']);
    const plan = store.db
      .prepare(`EXPLAIN QUERY PLAN ${q.text}`)
      .all(...(q.params as unknown[]))
      .map((r) => (r as { detail: string }).detail);
    // Scanning the partial index reads the rule events only; a bare "SCAN e" would read the whole trail.
    expect(plan).toContain('SCAN e USING INDEX audit_events_rule_events');
    expect(plan.filter((d) => /^SCAN (e|audit_events)$/.test(d))).toEqual([]);
  });
});
