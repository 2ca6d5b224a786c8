/**
 * A saved connection and its audit event go together or not at all: when the
 * event cannot be recorded (here the store refuses it, as a full disk or a
 * locked file would), connections.json and the keychain are left exactly as
 * they were, and no temporary file is left behind.
 */
import { readdir, readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONNECTIONS_FILE } from '../ingest/db/connections.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import type { Keychain } from '../sync/credentials.ts';
import { forgetConnectionPassword, removeConnectionAudited, saveConnectionAudited, setConnectionPassword } from './connections.ts';
import { ADA, seedUsers, tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
const entries = new Map<string, string>();
const keychain = (): Keychain => ({ set: (a, p) => void entries.set(a, p), get: (a) => entries.get(a) ?? null, delete: (a) => entries.delete(a) });
const ledger = (port: number) => ({ name: 'ledger', driver: 'postgres' as const, host: 'db.example', port, database: 'gl', user: 'reader' });

beforeEach(() => {
  tmp = tempDir('recon-connections-');
  store = openStore(tmp.dir);
  seedUsers(store);
  entries.clear();
});

afterEach(() => {
  store.close();
  tmp.cleanup();
});

const fileText = () => readFile(`${tmp.dir}/${CONNECTIONS_FILE}`, 'utf8');
const connectionEvents = () => store.db.prepare("SELECT action FROM audit_events WHERE action LIKE 'connection.%' ORDER BY seq").all();
const refuseEvents = () =>
  store.db.exec("CREATE TRIGGER refuse_connection_events BEFORE INSERT ON audit_events WHEN NEW.action LIKE 'connection.%' BEGIN SELECT RAISE(ABORT, 'disk full'); END");

describe('saved connections and their events', () => {
  it('change nothing when the event cannot be recorded', async () => {
    await saveConnectionAudited(store, ADA, tmp.dir, ledger(5432));
    await setConnectionPassword(store, ADA, tmp.dir, 'ledger', 'first-pw', keychain);
    const before = await fileText();
    const account = [...entries.keys()][0]!;
    expect(connectionEvents()).toEqual([{ action: 'connection.saved' }, { action: 'connection.password_set' }]);

    refuseEvents();
    await expect(saveConnectionAudited(store, ADA, tmp.dir, ledger(6543))).rejects.toThrow(/disk full/);
    await expect(saveConnectionAudited(store, ADA, tmp.dir, { ...ledger(1), name: 'other' })).rejects.toThrow(/disk full/);
    await expect(removeConnectionAudited(store, ADA, tmp.dir, 'ledger', keychain)).rejects.toThrow(/disk full/);
    await expect(setConnectionPassword(store, ADA, tmp.dir, 'ledger', 'second-pw', keychain)).rejects.toThrow(/disk full/);
    await expect(forgetConnectionPassword(store, ADA, tmp.dir, 'ledger', keychain)).rejects.toThrow(/disk full/);

    expect(await fileText()).toBe(before);
    expect(entries.get(account)).toBe('first-pw');
    expect((await readdir(tmp.dir)).filter((f) => f.startsWith(CONNECTIONS_FILE))).toEqual([CONNECTIONS_FILE]);
    expect(connectionEvents()).toHaveLength(2);

    store.db.exec('DROP TRIGGER refuse_connection_events');
    await removeConnectionAudited(store, ADA, tmp.dir, 'ledger', keychain);
    expect(entries.size).toBe(0);
    expect(JSON.parse(await fileText())).toMatchObject({ connections: [] });
    expect(connectionEvents()).toHaveLength(3);
  });
});
