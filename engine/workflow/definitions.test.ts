import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DefinitionInput } from '../definition/schema.ts';
import { verifyChain } from '../store/audit-verify.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { applyPulledDefinition, getDefinition, importDefinitionFiles, listDefinitions, saveDefinition } from './definitions.ts';
import { ADA, ALICE, BOB, MALLORY, seedUsers, tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

// Floats stay floats: the stored JSON is the definition's own, not the audit trail's decimal strings.
const definition: DefinitionInput = {
  name: 'Trades vs custodian',
  key: ['id'],
  fields: [{ name: 'id' }, { name: 'qty', b: 'quantity', type: 'decimal', tolerance: { abs: '0.5' } }],
  attribution: { threshold: 0.9, unknownRateLimit: 0.05 },
};
const events = (): { action: string; target: string; after: string; comment: string | null }[] =>
  store.db.prepare("SELECT action, target, after, comment FROM audit_events WHERE action = 'definition.saved' ORDER BY seq").all() as never;
const outbox = (): number => (store.db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'audit_event'").get() as { n: number }).n;

describe('saved definitions', () => {
  it('saves each change as a new version with its audit event and outbox row; an unchanged one keeps its version', () => {
    seedUsers(store);
    expect(saveDefinition(store, ALICE, definition).version).toBe(1);
    const queued = outbox();
    expect(saveDefinition(store, ALICE, { ...definition, key: ['id'] }).version).toBe(1);
    expect(outbox()).toBe(queued);
    const v2 = saveDefinition(store, ADA, { ...definition, fields: [{ name: 'id' }] }, { comment: 'qty dropped' });
    expect(v2).toMatchObject({ name: 'Trades vs custodian', version: 2, savedBy: 'ada', comment: 'qty dropped' });
    expect(outbox()).toBe(queued + 1);
    const [first, second] = events();
    expect(second).toMatchObject({ action: 'definition.saved', target: 'definition:Trades vs custodian', comment: 'qty dropped' });
    const after = JSON.parse(second!.after) as { version: number; sha256: string; json: string };
    expect(after).toMatchObject({ version: 2, sha256: v2.sha256 });
    expect(JSON.parse(after.json)).toEqual({ ...definition, fields: [{ name: 'id' }] });
    expect(JSON.parse(first!.after)).toMatchObject({ version: 1 });
    expect(getDefinition(store, 'Trades vs custodian', 1).definition).toEqual(definition);
    expect(getDefinition(store, 'Trades vs custodian')).toMatchObject({ version: 2, definition: { fields: [{ name: 'id' }] } });
    expect(listDefinitions(store)).toEqual([{ name: 'Trades vs custodian', version: 2, savedAt: v2.savedAt, savedBy: 'ada' }]);
    expect(verifyChain(store).ok).toBe(true);
  });

  it('is saved by analysts and admins; refuses others, and an existing name when asked not to overwrite', () => {
    seedUsers(store);
    expect(() => saveDefinition(store, BOB, definition)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
    expect(() => saveDefinition(store, MALLORY, definition)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
    saveDefinition(store, ALICE, definition);
    expect(() => saveDefinition(store, ADA, { ...definition, key: ['qty'] }, { overwrite: false })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => getDefinition(store, 'nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', details: expect.objectContaining({ saved: ['Trades vs custodian'] }) }));
    expect(() => getDefinition(store, 'Trades vs custodian', 9)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('imports the JSON files of <workspace>/definitions once, audited as imports, and leaves them in place', () => {
    const dir = join(tmp.dir, 'definitions');
    mkdirSync(dir);
    writeFileSync(join(dir, 'clarity.json'), JSON.stringify({ name: 'Clarity e2e', key: ['id'], fields: [{ name: 'id' }, { name: 'qty', b: 'qty_wrong' }] }));
    writeFileSync(join(dir, 'trades-new.json'), JSON.stringify({ ...definition, key: ['qty'] }));
    writeFileSync(join(dir, 'trades-old.json'), JSON.stringify(definition));
    writeFileSync(join(dir, 'broken.json'), '{ "name": ');
    utimesSync(join(dir, 'trades-old.json'), new Date('2026-01-01'), new Date('2026-01-01'));
    expect(importDefinitionFiles(store, ADA).sort()).toEqual(['Clarity e2e', 'Trades vs custodian', 'Trades vs custodian']);
    expect(getDefinition(store, 'Trades vs custodian')).toMatchObject({ version: 2, savedBy: 'ada', definition: { key: ['qty'] }, comment: 'imported from definitions/trades-new.json' });
    expect(events().map((e) => e.comment)).toEqual(expect.arrayContaining(['imported from definitions/clarity.json', 'imported from definitions/trades-old.json']));
    // Once: a later save is not undone by the file at the next open, and a file changed since is not read again.
    saveDefinition(store, ADA, { ...definition, key: ['id', 'qty'] });
    writeFileSync(join(dir, 'clarity.json'), JSON.stringify({ name: 'Clarity e2e', key: ['qty'] }));
    expect(importDefinitionFiles(store, ADA)).toEqual([]);
    expect(getDefinition(store, 'Trades vs custodian').version).toBe(3);
    expect(getDefinition(store, 'Clarity e2e').version).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['broken.json', 'clarity.json', 'trades-new.json', 'trades-old.json']);
    // A file added later is imported at the next open.
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...definition, name: 'Other' }));
    expect(importDefinitionFiles(store, ADA)).toEqual(['Other']);
    expect(verifyChain(store).ok).toBe(true);
  });

  it('imports for whoever opens the workspace, needing no role and making no one a user', () => {
    mkdirSync(join(tmp.dir, 'definitions'));
    writeFileSync(join(tmp.dir, 'definitions', 'x.json'), JSON.stringify(definition));
    expect(importDefinitionFiles(store, { userId: 'stranger', displayName: 'S' })).toEqual(['Trades vs custodian']);
    expect(getDefinition(store, 'Trades vs custodian').savedBy).toBe('stranger');
    expect(store.db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 0 });
    // So the first user to act still becomes the workspace's admin.
    expect(saveDefinition(store, BOB, { ...definition, key: ['qty'] }).version).toBe(2);
    expect(store.db.prepare("SELECT role FROM user_roles WHERE user_id = 'bob'").all()).toEqual([{ role: 'admin' }]);
  });

  it("stores another device's version once, as the next local version, without an audit event of its own", () => {
    seedUsers(store);
    saveDefinition(store, ALICE, definition);
    const pulled = { device_id: 'other-device', seq: 7, name: 'Trades vs custodian', json: JSON.stringify({ ...definition, key: ['qty'] }), sha256: 'x', saved_by: 'zed', saved_at: '2026-12-01T00:00:00.000Z', comment: null };
    const before = events().length;
    expect(store.write((tx) => applyPulledDefinition(tx, pulled))).toBe(true);
    expect(store.write((tx) => applyPulledDefinition(tx, pulled))).toBe(false);
    expect(store.write((tx) => applyPulledDefinition(tx, { ...pulled, seq: 8, json: '{"name": "Trades vs custodian"}' }))).toBe(false);
    expect(events()).toHaveLength(before);
    expect(getDefinition(store, 'Trades vs custodian')).toMatchObject({ version: 2, savedBy: 'zed', definition: { key: ['qty'] } });
  });
});
