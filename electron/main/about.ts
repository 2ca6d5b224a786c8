/** The About dialog: version, commit, DuckDB, SQLite and model versions (the facts of `recon --version`). */
import { app, BrowserWindow, clipboard, dialog } from 'electron';
import { versionInfo } from '../../engine/host/version.ts';
import type { Service } from '../../engine/host/service.ts';
import { BUILD_COMMIT } from './build-info.ts';
import { ABOUT_COPY_BUTTON, aboutDialogOptions } from './policy/about.ts';

const PRODUCT_NAME = 'Recon Workstation';

async function showAbout(service: Service): Promise<void> {
  // The service knows the workspace whose promoted model every run uses.
  const { workspace } = await service.invoke('app.version', {});
  const info = await versionInfo({ version: app.getVersion(), commit: BUILD_COMMIT ?? 'unknown', workspace });
  const options = aboutDialogOptions(PRODUCT_NAME, info, { electron: process.versions.electron, chrome: process.versions.chrome });
  const parent = BrowserWindow.getFocusedWindow();
  const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options);
  if (response === ABOUT_COPY_BUTTON) clipboard.writeText(`${options.message}\n${options.detail ?? ''}`);
}

/** What the About menu item does; the versions are read on each opening (a model may have been promoted since). */
export function aboutAction(service: Service): () => void {
  return () => {
    showAbout(service).catch((error: unknown) => {
      console.error('[about] could not show the About dialog', error);
    });
  };
}
