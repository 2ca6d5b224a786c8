/**
 * The read side of the matching view (contract/matching.ts): the groups, the
 * unmatched rows and their candidates of what is matched NOW (the run file's
 * matches with the store's manual match actions applied, run-file/matching/now.ts),
 * and the preview of a manual match. A run that is not a matching run is
 * NOT_A_MATCHING_RUN.
 */
import { candidatesFor } from '../../run-file/matching/candidates.ts';
import { readGroupRows, readGroups } from '../../run-file/matching/groups.ts';
import { matchingLayout, type MatchingLayout } from '../../run-file/matching/layout.ts';
import { syncMatchingNow } from '../../run-file/matching/now.ts';
import { readPreview } from '../../run-file/matching/preview.ts';
import { readUnmatched } from '../../run-file/matching/unmatched.ts';
import type { RunFile } from '../../run-file/run-file.ts';
import { readSetting } from '../../workflow/settings.ts';
import type { Handlers, HostContext } from './types.ts';

type ViewCalls = 'matching.groups' | 'matching.groupRows' | 'matching.unmatched' | 'matching.candidates' | 'matching.preview';

export function matchingViewHandlers(ctx: HostContext): Pick<Handlers, ViewCalls> {
  /** The run's file with its "now" tables up to date with the store's actions. */
  const open = async (runId: string): Promise<{ db: RunFile; layout: MatchingLayout }> => {
    const db = await ctx.dbs.get(runId);
    const layout = await matchingLayout(db);
    await syncMatchingNow(db, ctx.store, layout);
    return { db, layout };
  };
  return {
    'matching.groups': async ({ runId, filter, offset, limit }) => {
      const { db, layout } = await open(runId);
      return readGroups(db, layout, { filter, offset, limit });
    },
    'matching.groupRows': async ({ runId, matchId }) => {
      const { db, layout } = await open(runId);
      return readGroupRows(db, layout, matchId);
    },
    'matching.unmatched': async ({ runId, side, filter, offset, limit }) => {
      const { db, layout } = await open(runId);
      return readUnmatched(db, layout, { side, filter, offset, limit });
    },
    'matching.candidates': async ({ runId, side, rid, limit }) => {
      const { db, layout } = await open(runId);
      return { candidates: await candidatesFor(db, layout, { side, rid, limit }) };
    },
    'matching.preview': async ({ runId, rows }) => {
      const { db, layout } = await open(runId);
      const threshold = ctx.store.read((tx) => readSetting(tx, 'matching.approvalAbove'));
      return readPreview(db, layout, rows, threshold);
    },
  };
}
