/**
 * The new-run screen's definition Import and Export through the service
 * (issue 13 item 22): a definition exported to a file imports back as it
 * was given; a bad file is refused with its line and column, or each issue's
 * JSON path; a path that is not a definition file is refused as data.
 */
import './testing/fail-on-unhandled.ts';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/open.ts';
import { createService, type Service } from './service.ts';

let dir: string;
let store: Store;
let service: Service;

const definition = {
  name: 'Trades vs custodian',
  key: ['TradeID'],
  emptyKeyParts: 'match',
  sources: { a: {}, b: { delimiter: ';', dateFormat: ['%d/%m/%Y', '%Y-%m-%d'] } },
  fields: [
    { name: 'TradeID', b: 'trade_ref' },
    { name: 'Notional', b: 'net_amount', type: 'decimal', scale: 2, rounding: 'reject', map: { a: { 'N/A': '' } } },
  ],
  normalize: { trim: false, rounding: 'reject' },
  attribution: { threshold: 0.8, fxRates: { EURUSD: '1.0850' } },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-def-files-'));
  store = openStore(join(dir, 'workspace'));
  service = createService({ workspace: join(dir, 'workspace'), host: 'test', version: '0', store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => undefined });
});

afterAll(async () => {
  await service?.close();
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('definitions.export and definitions.import', () => {
  it('writes the definition as given (into a folder it creates) and reads it back the same', async () => {
    const path = join(dir, 'new', 'folder', 'trades.json');
    expect(await service.invoke('definitions.export', { definition, path, overwrite: false })).toEqual({ path });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(definition);
    expect(await service.invoke('definitions.import', { path })).toEqual({ path, definition });
  });

  it('refuses to replace a file unless asked', async () => {
    const path = join(dir, 'new', 'folder', 'trades.json');
    const changed = { ...definition, name: 'Changed' };
    expect(await service.call('definitions.export', { definition: changed, path })).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_EXISTS' } });
    await service.invoke('definitions.export', { definition: changed, path, overwrite: true });
    expect((await service.invoke('definitions.import', { path })).definition).toEqual(changed);
  });

  it('refuses to export an invalid definition, naming the JSON path of each issue, and writes nothing', async () => {
    const path = join(dir, 'bad-export.json');
    const reply = await service.call('definitions.export', { definition: { ...definition, fields: [{ name: 'TradeID', type: 'money' }] }, path });
    expect(reply).toMatchObject({ ok: false, error: { code: 'DEFINITION_INVALID', details: { issues: [expect.stringMatching(/^fields\[0\]\.type: /)] } } });
    await expect(readFile(path)).rejects.toThrow();
  });

  it('names the line and column of a file that is not JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{\n  "name": "x",\n  "key": ["ID"]\n  "fields": []\n}\n');
    const reply = await service.call('definitions.import', { path });
    expect(reply).toMatchObject({ ok: false, error: { code: 'DEFINITION_INVALID', details: { line: 4, column: 3 } } });
  });

  it('names the JSON path of each schema issue', async () => {
    const path = join(dir, 'invalid.json');
    await writeFile(path, JSON.stringify({ ...definition, attribution: { fxRates: { 'EUR/USD': '1.1' } }, fields: [{ name: 'SettleDate', type: 'date', tolerance: { days: -1 } }] }));
    const reply = await service.call('definitions.import', { path });
    expect(reply.ok).toBe(false);
    const issues = (reply as unknown as { error: { details: { issues: string[] } } }).error.details.issues;
    expect(issues).toEqual(expect.arrayContaining([expect.stringMatching(/^fields\[0\]\.tolerance\.days: /), expect.stringMatching(/^attribution\.fxRates\.EUR\/USD: /)]));
    expect((reply as unknown as { error: { message: string } }).error.message).toContain('fields[0].tolerance.days');
  });

  it('refuses a missing file, a folder and a device as data, and keeps serving', async () => {
    await mkdir(join(dir, 'a-folder'));
    for (const path of [join(dir, 'missing.json'), join(dir, 'a-folder'), '/dev/zero']) {
      expect(await service.call('definitions.import', { path })).toMatchObject({ ok: false, error: { code: 'INPUT_NOT_FOUND' } });
    }
    expect(await service.invoke('app.version', {})).toBeTruthy();
  });
});
