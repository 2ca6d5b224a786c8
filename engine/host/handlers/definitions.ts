import { exportDefinitionFile, importDefinitionFile } from '../definition-files.ts';
import type { Handlers, HostContext } from './types.ts';

export function definitionsHandlers(ctx: HostContext): Pick<Handlers, 'definitions.list' | 'definitions.get' | 'definitions.save' | 'definitions.import' | 'definitions.export'> {
  return {
    'definitions.list': async () => ({ definitions: await ctx.definitions.list() }),
    'definitions.get': async ({ file }) => ({ file, definition: await ctx.definitions.get(file) }),
    'definitions.save': async ({ definition, overwrite }) => ctx.definitions.save(definition, overwrite),
    'definitions.import': async ({ path }) => importDefinitionFile(path),
    'definitions.export': async ({ definition, path, overwrite }) => exportDefinitionFile(definition, path, overwrite),
  };
}
