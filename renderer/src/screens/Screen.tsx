import { missingCase } from '../../../engine/contract/guards.ts';
import type { Route } from '../navigation.ts';
import { BreakDetail } from './breaks/BreakDetail.tsx';
import { NewRunScreen } from './new-run/NewRunScreen.tsx';
import { ApprovalsScreen } from './approvals/ApprovalsScreen.tsx';
import { AuditScreen } from './audit/AuditScreen.tsx';
import { RulesScreen } from './rules/RulesScreen.tsx';
import { RunScreen } from './run/RunScreen.tsx';
import { ReconScreen } from './series/ReconScreen.tsx';
import { ReconsScreen } from './series/ReconsScreen.tsx';
import { RunsScreen } from './runs/RunsScreen.tsx';
import { SettingsScreen } from './settings/SettingsScreen.tsx';

/** The screen for a route. */
export function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'runs':
      return <RunsScreen />;
    case 'new-run':
      return <NewRunScreen key={route.fromRun ?? ''} {...(route.fromRun !== undefined ? { fromRun: route.fromRun } : {})} />;
    case 'run':
      return <RunScreen key={route.runId} runId={route.runId} tab={route.tab} {...(route.preset ? { preset: route.preset } : {})} />;
    case 'break':
      return <BreakDetail key={`${route.runId}:${route.breakId}`} runId={route.runId} breakId={route.breakId} />;
    case 'recons':
      return <ReconsScreen />;
    case 'recon':
      return <ReconScreen key={route.series} series={route.series} />;
    case 'approvals':
      return <ApprovalsScreen />;
    case 'rules':
      return <RulesScreen />;
    case 'audit':
      return <AuditScreen />;
    case 'settings':
      return <SettingsScreen />;
    default:
      return missingCase(route);
  }
}
