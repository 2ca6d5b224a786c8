import './testing/fail-on-unhandled.ts';
import { describe, expect, it } from 'vitest';
import type { FileChoice } from '../contract/index.ts';
import { ALICE } from '../workflow/testing/fixtures.ts';
import { useSeededStore } from '../workflow/testing/seeded-store.ts';
import { createService } from './service.ts';

/**
 * files.choose: the desktop app's native dialog. Electron cannot run on these
 * machines, so the host's dialog is a function standing in for it here; what
 * is tested is the service's part (validation, the answer, the browser host).
 */
const ws = useSeededStore();

const service = (chooseFile?: (r: FileChoice) => Promise<string | null>) =>
  createService({ workspace: ws.dir, host: 'test', version: '0', store: ws.store, user: ALICE, emit: () => undefined, ...(chooseFile ? { chooseFile } : {}) });

describe('files.choose', () => {
  it('answers the picked path, or null when the person cancels', async () => {
    const asked: FileChoice[] = [];
    let answer: string | null = '/data/a.csv';
    const s = service(async (r) => (asked.push(r), answer));
    expect(await s.invoke('files.choose', { mode: 'open', title: 'Source A', filters: [{ name: 'Extracts', extensions: ['csv'] }] })).toEqual({ path: '/data/a.csv' });
    answer = null;
    expect(await s.invoke('files.choose', { mode: 'save', title: 'Export', defaultPath: 'run.xlsx' })).toEqual({ path: null });
    expect(asked.map((r) => r.mode)).toEqual(['open', 'save']);
    await s.close();
  });

  it('refuses bad requests before any dialog opens', async () => {
    let opened = 0;
    const s = service(async () => (opened++, null));
    expect(await s.call('files.choose', { mode: 'delete', title: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await s.call('files.choose', { mode: 'open', title: 'x', filters: [{ name: 'x', extensions: ['c sv'] }] })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(opened).toBe(0);
    await s.close();
  });

  it('says to type the path on a host without a dialog (the browser host)', async () => {
    const s = service();
    const r = await s.call('files.choose', { mode: 'open', title: 'Source A' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(JSON.stringify(r)).toContain('type the path');
    await s.close();
  });
});
