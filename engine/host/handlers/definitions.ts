import { getDefinition, listDefinitions, saveDefinition } from '../../workflow/definitions.ts';
import { exportDefinitionFile, importDefinitionFile } from '../definition-files.ts';
import type { Handlers, HostContext } from './types.ts';

export function definitionsHandlers(ctx: HostContext): Pick<Handlers, 'definitions.list' | 'definitions.get' | 'definitions.save' | 'definitions.import' | 'definitions.export'> {
  return {
    'definitions.list': async () => ({ definitions: listDefinitions(ctx.store) }),
    'definitions.get': async ({ name, version }) => {
      const d = getDefinition(ctx.store, name, version);
      return { name: d.name, version: d.version, savedAt: d.savedAt, savedBy: d.savedBy, definition: d.definition };
    },
    'definitions.save': async ({ definition, overwrite, comment }) => {
      const d = saveDefinition(ctx.store, ctx.user, definition, { overwrite, ...(comment !== undefined ? { comment } : {}) });
      return { name: d.name, version: d.version };
    },
    'definitions.import': async ({ path }) => importDefinitionFile(path),
    'definitions.export': async ({ definition, path, overwrite }) => exportDefinitionFile(definition, path, overwrite),
  };
}
