import { statSync } from 'node:fs';
import { loadDefinitionFile, validateDefinition } from '../definition/load.ts';
import type { Definition } from '../definition/schema.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { Store } from '../store/store.ts';
import { getDefinition, listDefinitions } from '../workflow/definitions.ts';

/**
 * `--definition` names a definition file or one saved in the workspace. A path
 * that is a file wins: it is read and validated here; anything else is null,
 * a name for `loadSavedDefinition` once the store is open.
 */
export async function loadDefinitionFileArg(arg: string): Promise<Definition | null> {
  return statSync(arg, { throwIfNoEntry: false })?.isFile() ? loadDefinitionFile(arg) : null;
}

/** The latest version of a definition saved in the workspace; an unknown name is INPUT_NOT_FOUND listing the saved ones (exit code 2). */
export function loadSavedDefinition(store: Store, name: string): { definition: Definition; version: number } {
  const saved = listDefinitions(store).map((d) => d.name);
  if (!saved.includes(name)) {
    throw new ReconError(
      'INPUT_NOT_FOUND',
      `--definition ${name}: no such file, and no definition of that name is saved in the workspace ${store.dir} (saved: ${saved.length === 0 ? 'none' : saved.map((n) => JSON.stringify(n)).join(', ')})`,
      { definition: name, saved },
    );
  }
  const stored = getDefinition(store, name);
  return { definition: validateDefinition(stored.definition, `saved definition "${name}" version ${stored.version}`), version: stored.version };
}
