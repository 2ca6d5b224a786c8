import { previewFile } from '../preview.ts';
import type { Handlers, HostContext } from './types.ts';

export function filesHandlers(ctx: HostContext): Pick<Handlers, 'files.preview'> {
  return {
    'files.preview': async (args) => previewFile(ctx.workspace, args),
  };
}
