import type { ReconApi } from './recon-api.ts';

declare global {
  interface Window {
    /** Present in the desktop app only; the browser host (`recon serve`) has no preload. */
    readonly recon?: ReconApi;
  }
}
