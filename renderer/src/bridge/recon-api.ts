/**
 * What the desktop preload exposes as `window.recon`. Placeholder until the API
 * is derived from the engine contract; the preload checks itself against it.
 */
export interface ReconApi {
  /** The desktop app's version, from the main process. */
  readonly version: () => Promise<string>;
}
