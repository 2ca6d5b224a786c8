import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from './window-options.ts';

describe('mainWindowOptions', () => {
  const options = mainWindowOptions('/app/out/preload/index.cjs');
  const prefs = options.webPreferences;

  it('isolates and sandboxes the renderer, with no Node in it', () => {
    expect(prefs?.contextIsolation).toBe(true);
    expect(prefs?.sandbox).toBe(true);
    expect(prefs?.nodeIntegration).toBe(false);
    expect(prefs?.nodeIntegrationInWorker).toBe(false);
    expect(prefs?.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and embedding off', () => {
    expect(prefs?.webSecurity).toBe(true);
    expect(prefs?.allowRunningInsecureContent).toBe(false);
    expect(prefs?.webviewTag).toBe(false);
    expect(prefs?.navigateOnDragDrop).toBe(false);
    expect(prefs?.spellcheck).toBe(false);
  });

  it('uses the given preload and stays hidden until ready to show', () => {
    expect(prefs?.preload).toBe('/app/out/preload/index.cjs');
    expect(options.show).toBe(false);
  });
});
