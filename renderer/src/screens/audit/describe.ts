/** One line per audit event, in words: what changed, from its before/after. */
import type { AuditEventDto } from '../../../../engine/contract/index.ts';

type Json = Record<string, unknown> | null;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const slaText = (v: unknown): string => (v === null || v === undefined ? 'none' : `${String(v)} d`);
const list = (v: unknown): string => (Array.isArray(v) ? (v.length > 0 ? v.join(', ') : 'none') : String(v ?? '—'));

export function describeEvent(e: AuditEventDto): string {
  const before = obj(e.before);
  const after = obj(e.after);
  switch (e.action) {
    case 'run.started':
      return `started run of "${String(after?.['definition_name'] ?? '')}"`;
    case 'run.completed': {
      const s = obj(after?.['summary']);
      const breaks = obj(s?.['breaks'])?.['total'];
      return `completed${breaks !== undefined ? `: ${String(breaks)} breaks` : ''}`;
    }
    case 'run.failed':
      return `failed: ${String(obj(after?.['error'])?.['code'] ?? '')} ${String(obj(after?.['error'])?.['message'] ?? '')}`;
    case 'decision.applied':
    case 'decision.proposed': {
      const d = obj(after?.['decision']);
      const n = Number(d?.['break_count'] ?? 0);
      const reason = d?.['reason'] ? ` → ${String(d['reason'])}` : '';
      const bulk = d?.['bulk_filter'] ? ' (bulk)' : '';
      const rows = Array.isArray(after?.['rows']) ? (after['rows'] as unknown[][]) : [];
      const ids = n === 1 && rows[0] ? ` break #${String(rows[0][0])}` : ` ${n} breaks`;
      return `${String(d?.['kind'] ?? '').toLowerCase()}${reason}${bulk} on${ids}${e.action === 'decision.proposed' ? ', proposed' : ''}`;
    }
    case 'proposal.approved':
    case 'proposal.rejected': {
      const n = Array.isArray(after?.['rows']) ? (after['rows'] as unknown[]).length : 0;
      return `${e.action === 'proposal.approved' ? 'approved' : 'rejected'} ${String(after?.['kind'] ?? '').toLowerCase()} by ${String(before?.['maker'] ?? '?')} (${n} break${n === 1 ? '' : 's'})`;
    }
    case 'proposal.withdrawn': {
      const n = Array.isArray(after?.['rows']) ? (after['rows'] as unknown[]).length : 0;
      return `withdrew own ${String(after?.['kind'] ?? '').toLowerCase()} (${n} break${n === 1 ? '' : 's'})`;
    }
    case 'role.granted':
    case 'role.revoked':
      return `roles ${list(before?.['roles'])} → ${list(after?.['roles'])}`;
    case 'user.added':
      return `added with roles ${list(after?.['roles'])}`;
    case 'setting.changed':
      return `${String(before?.['value'])} → ${String(after?.['value'])}`;
    case 'reason.added':
      return `${String(after?.['category'] ?? '')}: ${String(after?.['description'] ?? '')}`;
    case 'reason.retired':
      return 'retired';
    case 'reason.sla_changed':
      return `SLA ${slaText(before?.['sla_days'])} → ${slaText(after?.['sla_days'])}`;
    case 'model.promoted':
      return `${String(before?.['version'] ?? '—')} → ${String(after?.['version'] ?? '')}`;
    case 'export.written':
      return `${String(after?.['kind'] ?? '')} export, ${String(after?.['rows'] ?? '?')} rows → ${String(after?.['path'] ?? '')}`;
    case 'definition.saved':
      return `version ${String(after?.['version'] ?? '')}`;
    default:
      return '';
  }
}

/** Indented JSON with arrays of plain values kept on one line, so a decision's rows read as a table. */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_m, inner: string) => `[${inner.replace(/\s*\n\s*/g, ' ')}]`);
}
