import { createContext, useContext } from 'react';
import type { FilterModel } from '../../engine/contract/index.ts';

/** The run screen's tabs; Matching only for a matching run; Rules vs model: the agreement report of reason rules and the model. */
export type RunTab = 'overview' | 'breaks' | 'matching' | 'agreement';

/** Every screen the renderer can show; the app keeps a stack of them for Back (Esc). */
export type Route =
  | { name: 'runs' }
  /** `fromRun`: start from that run's definition and files ("Run again"). */
  | { name: 'new-run'; fromRun?: string }
  /** `matching`: the matching view of a matching run (groups, unmatched rows, manual match). */
  | { name: 'run'; runId: string; tab: RunTab; preset?: FilterModel }
  | { name: 'break'; runId: string; breakId: number }
  /** The recons (series: the runs of one definition name), and one of them over time. */
  | { name: 'recons' }
  | { name: 'recon'; series: string }
  | { name: 'approvals' }
  /** Reason rules: the rules in force, their proposals with the what-if (issue 20). */
  | { name: 'rules' }
  | { name: 'audit' }
  | { name: 'settings' };

export interface Navigation {
  route: Route;
  /** Opens a screen on top of the current one. */
  go(route: Route): void;
  /** Replaces the current screen (tabs, section switches). */
  replace(route: Route): void;
  /** Back to the previous screen, if any. */
  back(): void;
}

export const NavContext = createContext<Navigation | null>(null);

export function useNav(): Navigation {
  const nav = useContext(NavContext);
  if (nav === null) throw new Error('useNav outside NavContext');
  return nav;
}
