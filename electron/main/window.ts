/** The main window. */
import { BrowserWindow } from 'electron';
import path from 'node:path';
import { mainWindowOptions } from './policy/window-options.ts';

export { mainWindowOptions };

/** electron-vite emits the sandboxed preload as CommonJS next to out/main. */
const PRELOAD_PATH = path.join(import.meta.dirname, '../preload/index.cjs');

/** Opens the main window on `entryUrl` and shows it once its first paint is ready. */
export function createMainWindow(entryUrl: string): BrowserWindow {
  const mainWindow = new BrowserWindow(mainWindowOptions(PRELOAD_PATH));
  mainWindow.once('ready-to-show', () => {
    mainWindow.show();
  });
  mainWindow.loadURL(entryUrl).catch((error: unknown) => {
    console.error(`[window] could not load ${entryUrl}`, error);
  });
  return mainWindow;
}
