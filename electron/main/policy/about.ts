import type { MessageBoxOptions } from 'electron';
import { formatVersionInfo, type VersionInfo } from '../../../engine/host/version.ts';

/** The runtime the app runs in (process.versions in the main process). */
export interface RuntimeVersions {
  electron: string;
  chrome: string;
}

/** The About text: the facts `recon --version` prints, plus the Electron runtime. */
export function aboutDetail(productName: string, info: VersionInfo, runtime: RuntimeVersions): string {
  return `${formatVersionInfo(info, productName)}\nElectron ${runtime.electron} (Chromium ${runtime.chrome})`;
}

/** Index of the button that copies the text (for a support ticket). */
export const ABOUT_COPY_BUTTON = 0;

/** The About dialog: the same on every platform, with a button to copy its text. */
export function aboutDialogOptions(productName: string, info: VersionInfo, runtime: RuntimeVersions): MessageBoxOptions {
  return {
    type: 'info',
    title: `About ${productName}`,
    message: `${productName} ${info.version}`,
    detail: aboutDetail(productName, info, runtime),
    buttons: ['Copy', 'Close'],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}
