import type { ReconApi } from './recon-api.ts';

declare global {
  interface Window {
    /** Present in the desktop app only; the browser host used by e2e tests has no preload. */
    readonly recon?: ReconApi;
  }
}
