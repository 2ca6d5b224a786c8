/** Main-process entry: lifecycle only; each concern lives in its own setupX(). */
import { app, BrowserWindow } from 'electron';
import path from 'node:path';
import { guardHostProcess } from '../../engine/host/process-guard.ts';
import { aboutAction } from './about.ts';
import { registerAppScheme, setupAppProtocol } from './app-protocol.ts';
import { setupAutoUpdates } from './auto-update.ts';
import { setupEngine } from './engine-host.ts';
import { setupIpc } from './ipc.ts';
import { setupMenu } from './menu.ts';
import { setupNavigationGuards } from './navigation.ts';
import { rendererEntry } from './policy/app-scheme.ts';
import { createMainWindow } from './window.ts';

const RENDERER_DIR = path.join(import.meta.dirname, '../renderer');
const entry = rendererEntry(process.env['ELECTRON_RENDERER_URL'], app.isPackaged);

// Nothing that escapes a handler may take the app down with every window: logged, and the app keeps running.
guardHostProcess('electron main', (line) => console.error(line.trimEnd()));

// Sandbox every renderer, including any a future feature forgets to configure.
app.enableSandbox();
registerAppScheme();

app.on('web-contents-created', (_event, contents) => {
  setupNavigationGuards(contents, entry.origin);
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app
  .whenReady()
  .then(() => {
    setupAppProtocol(RENDERER_DIR);
    const service = setupEngine();
    setupIpc(entry.origin, service);
    setupMenu(aboutAction(service));
    createMainWindow(entry.url);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(entry.url);
    });
    setupAutoUpdates();
  })
  .catch((error: unknown) => {
    console.error('[main] startup failed', error);
    app.quit();
  });
