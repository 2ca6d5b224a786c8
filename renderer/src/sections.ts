/** The app's top-level sections, in navigation order. */
export const SECTIONS = [
  {
    id: 'runs',
    label: 'Runs',
    summary: 'Reconciliation runs will be listed here: pick two sources and a definition, start a keyed diff, and open its breaks.',
  },
  {
    id: 'approvals',
    label: 'Approvals',
    summary: 'Breaks and adjustments waiting for a second reviewer will appear here (four-eyes review).',
  },
  {
    id: 'audit',
    label: 'Audit trail',
    summary: 'The tamper-evident log of every run, decision and approval will be shown and verified here.',
  },
  {
    id: 'settings',
    label: 'Settings',
    summary: 'Connections, credentials held in the OS keyring, and preferences will be configured here.',
  },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];
