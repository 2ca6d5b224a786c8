import type { Handlers, HostContext } from './types.ts';

export function definitionsHandlers(ctx: HostContext): Pick<Handlers, 'definitions.list' | 'definitions.get' | 'definitions.save'> {
  return {
    'definitions.list': async () => ({ definitions: await ctx.definitions.list() }),
    'definitions.get': async ({ file }) => ({ file, definition: await ctx.definitions.get(file) }),
    'definitions.save': async ({ definition, overwrite }) => ctx.definitions.save(definition, overwrite),
  };
}
