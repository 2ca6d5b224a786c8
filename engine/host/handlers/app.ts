import { openDuckDB, queryOne } from '../../duckdb/open.ts';
import type { Handlers, HostContext } from './types.ts';

export function appHandlers(ctx: HostContext): Pick<Handlers, 'app.version'> {
  let duckdb: string | undefined;
  return {
    'app.version': async () => {
      if (duckdb === undefined) {
        const db = await openDuckDB({ path: ':memory:' });
        try {
          duckdb = (await queryOne<{ v: string }>(db.connection, 'SELECT version() AS v')).v;
        } finally {
          db.close();
        }
      }
      return { version: ctx.version, duckdb, host: ctx.host, workspace: ctx.workspace };
    },
  };
}
