import './testing/fail-on-unhandled.ts';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAudit } from '../store/audit-export.ts';
import { openStore, type Store } from '../store/open.ts';
import { recordExportWritten } from '../workflow/events.ts';
import { createService, type Service } from './service.ts';

/**
 * audit.export to awkward paths: a folder that does not exist yet (created, as
 * runs.export does), one that cannot be made, a directory, an existing file
 * without overwrite. Each refusal is data naming the path, nothing escapes the
 * host, and the host goes on serving.
 */
let dir: string;
let store: Store;
let service: Service;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-audit-export-'));
  store = openStore(join(dir, 'ws'));
  // Enough events that the writer has to wait for the stream to drain (the original crash needed that).
  for (let i = 0; i < 3000; i++) recordExportWritten(store, { userId: 'ada', displayName: 'Ada' }, { kind: 'audit', path: `/tmp/x-${i}-${'p'.repeat(200)}`, rows: i });
  service = createService({ workspace: join(dir, 'ws'), host: 'test', version: '0', store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => undefined });
});

afterAll(async () => {
  await service.close();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('audit.export to a bad path', () => {
  it('writes to a folder that does not exist yet (as runs.export does), and keeps serving', async () => {
    const out = join(dir, 'some', 'missing', 'dir', 'audit.ndjson');
    const r = await service.invoke('audit.export', { path: out });
    expect(r.path).toBe(out);
    expect((await readFile(out, 'utf8')).split('\n')).toHaveLength(r.events + 1);
    expect(await service.call('app.version', {})).toMatchObject({ ok: true });
  });

  it('refuses a folder that cannot be made with EXPORT_PATH_INVALID naming the folder', async () => {
    await writeFile(join(dir, 'plain-file'), 'x');
    const out = join(dir, 'plain-file', 'sub', 'audit.ndjson');
    const r = await service.call('audit.export', { path: out });
    expect(r).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_INVALID', details: { path: out, folder: join(dir, 'plain-file', 'sub') } } });
    expect(JSON.stringify(r)).toContain(join(dir, 'plain-file', 'sub'));
    expect(await service.call('app.version', {})).toMatchObject({ ok: true });
  });

  it('a file that cannot be opened rejects the writer: nothing is left unhandled', async () => {
    // The original crash: the write stream's error, with no one listening, took the process down.
    await expect(exportAudit(store, join(dir, 'no', 'such', 'folder', 'audit.ndjson'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a directory, and a path under a file', async () => {
    await mkdir(join(dir, 'a-dir'));
    expect(await service.call('audit.export', { path: join(dir, 'a-dir') })).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_INVALID', details: { path: join(dir, 'a-dir') } } });
    await writeFile(join(dir, 'a-file'), 'x');
    expect(await service.call('audit.export', { path: join(dir, 'a-file', 'audit.ndjson') })).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_INVALID' } });
  });

  it('refuses an existing file without overwrite, in the same shape as runs.export, and replaces it with overwrite', async () => {
    const out = join(dir, 'trail.ndjson');
    await writeFile(out, 'old');
    const refused = await service.call('audit.export', { path: out });
    expect(refused).toMatchObject({ ok: false, error: { code: 'EXPORT_PATH_EXISTS', details: { path: out } } });
    expect(await readFile(out, 'utf8')).toBe('old');
    const r = await service.invoke('audit.export', { path: out, overwrite: true });
    expect(r.events).toBeGreaterThan(3000);
    expect((await readFile(out, 'utf8')).split('\n')).toHaveLength(r.events + 1);
  });

  it('writes under a temporary name and leaves only the finished file', async () => {
    await mkdir(join(dir, 'fresh'));
    const out = join(dir, 'fresh', 'audit.ndjson');
    const r = await service.invoke('audit.export', { path: out });
    expect(r.path).toBe(out);
    expect(await readdir(join(dir, 'fresh'))).toEqual(['audit.ndjson']);
  });
});
