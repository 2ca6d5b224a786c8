import { ReconError } from '../../errors/recon-error.ts';
import { previewFile } from '../preview.ts';
import type { Handlers, HostContext } from './types.ts';

export function filesHandlers(ctx: HostContext): Pick<Handlers, 'files.preview' | 'files.choose'> {
  return {
    'files.preview': async (args) => previewFile(ctx.workspace, args),
    'files.choose': async (request) => {
      if (!ctx.chooseFile) throw new ReconError('INVALID_ARGUMENT', 'this host has no file dialog (the browser host): type the path instead');
      return { path: await ctx.chooseFile(request) };
    },
  };
}
