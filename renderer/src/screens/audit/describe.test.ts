import { describe, expect, it } from 'vitest';
import type { AuditEventDto } from '../../../../engine/contract/index.ts';
import { compactJson, describeEvent } from './describe.ts';

const event = (action: string, before: unknown, after: unknown): AuditEventDto => ({
  eventId: 'e',
  deviceId: 'd',
  seq: 1,
  actor: 'alice',
  at: '2026-01-02T03:04:05.000Z',
  action,
  target: 'run:r',
  before,
  after,
  comment: null,
  hash: 'h',
});

describe('audit events in words', () => {
  it('says what a decision, an approval and a role change did', () => {
    const decision = { decision: { kind: 'OVERRIDE', reason: 'FX_DIFF', break_count: 1, bulk_filter: null }, rows: [[42, 'PROPOSED', 'OVERRIDDEN', 'FX_DIFF']] };
    expect(describeEvent(event('decision.proposed', null, decision))).toBe('override → FX_DIFF on break #42, proposed');
    expect(describeEvent(event('decision.applied', null, { decision: { kind: 'ACCEPT', break_count: 30, bulk_filter: { field: 'Price' } }, rows: [] }))).toBe('accept (bulk) on 30 breaks');
    expect(describeEvent(event('proposal.approved', { maker: 'alice' }, { kind: 'OVERRIDE', rows: [[42, 'OVERRIDDEN', 'FX_DIFF']] }))).toBe('approved override by alice (1 break)');
    expect(describeEvent(event('proposal.withdrawn', { maker: 'alice' }, { kind: 'OVERRIDE', rows: [[42, 'REVIEW', null]] }))).toBe('withdrew own override (1 break)');
    expect(describeEvent(event('role.granted', { roles: [] }, { roles: ['analyst'] }))).toBe('roles none → analyst');
    expect(describeEvent(event('something.new', null, null))).toBe('');
  });

  it('keeps arrays of plain values on one line in the JSON view', () => {
    expect(compactJson({ columns: ['break_id', 'status'], rows: [[1, 'AUTO'], [2, 'REVIEW']] })).toBe(
      '{\n  "columns": ["break_id", "status"],\n  "rows": [\n    [1, "AUTO"],\n    [2, "REVIEW"]\n  ]\n}',
    );
  });
});
