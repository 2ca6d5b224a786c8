import type { Route } from './navigation.ts';

/** The app's top-level sections, in navigation order. */
export const SECTIONS = [
  { id: 'runs', label: 'Runs' },
  { id: 'recons', label: 'Recons' },
  { id: 'approvals', label: 'Approvals' },
  { id: 'rules', label: 'Rules' },
  { id: 'audit', label: 'Audit trail' },
  { id: 'settings', label: 'Settings' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

/** The section a screen belongs to, for the navigation highlight. */
export function sectionOf(route: Route): SectionId {
  switch (route.name) {
    case 'approvals':
    case 'rules':
    case 'audit':
    case 'settings':
    case 'recons':
      return route.name;
    case 'recon':
      return 'recons';
    default:
      return 'runs';
  }
}
