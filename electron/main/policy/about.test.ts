import { describe, expect, it } from 'vitest';
import type { VersionInfo } from '../../../engine/host/version.ts';
import { ABOUT_COPY_BUTTON, aboutDialogOptions } from './about.ts';

const info: VersionInfo = {
  version: '1.2.3',
  commit: 'abc123def456',
  duckdb: 'v1.5.6',
  sqlite: '3.53.2',
  model: { version: 'model-7e1f', source: 'workspace' },
  node: '22.20.0',
};

describe('aboutDialogOptions', () => {
  const o = aboutDialogOptions('Recon Workstation', info, { electron: '45.4.1', chrome: '142.0.0.0' });

  it('names the app and its version', () => {
    expect(o.title).toBe('About Recon Workstation');
    expect(o.message).toBe('Recon Workstation 1.2.3');
  });

  it('shows the commit, the DuckDB, SQLite and model versions and the runtime', () => {
    expect(o.detail).toContain('(commit abc123def456)');
    expect(o.detail).toContain('DuckDB v1.5.6');
    expect(o.detail).toContain('SQLite 3.53.2');
    expect(o.detail).toContain('Model model-7e1f (promoted in this workspace)');
    expect(o.detail).toContain('Electron 45.4.1 (Chromium 142.0.0.0)');
  });

  it('offers to copy the text, and closing is the default', () => {
    expect(o.buttons?.[ABOUT_COPY_BUTTON]).toBe('Copy');
    expect(o.defaultId).toBe(1);
    expect(o.cancelId).toBe(1);
  });
});
