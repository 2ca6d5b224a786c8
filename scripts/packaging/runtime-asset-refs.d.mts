// Types of runtime-asset-refs.mjs (plain JavaScript, loaded by the CLI before any TypeScript loader).

/** A data file or folder a module reads relative to itself. */
export interface RuntimeAssetRef {
  /** As written in the module, e.g. './migrations/'. */
  literal: string;
  /** Where it is in the source tree. */
  source: string;
  /** Where it goes under the bundle's folder, posix separators, e.g. 'migrations'. */
  target: string;
}

/** The data files and folders `code` (the module at `file`) reads through import.meta.url. */
export function findRuntimeAssets(code: string, file: string): RuntimeAssetRef[];

/** Every file of an asset (a file, or a folder's files except tests and code), as [target path, absolute source]. */
export function assetFiles(ref: RuntimeAssetRef): Array<[string, string]>;

/** The assets of a set of bundled modules (module file → its refs), one per target path; a clash is an error. */
export function mergeAssetRefs(byModule: Iterable<[string, RuntimeAssetRef[]]>): RuntimeAssetRef[];
