import { basename } from 'node:path';
import type { Choice, DialectReport, InferenceResult, RuleProposal } from './types.ts';

/**
 * The inference report as text for a terminal: each choice, its confidence and
 * why. `accepted`: the rule proposals merged into the definition (--accept-rules);
 * undefined when the person was not asked to accept any.
 */
export function formatInferenceReport(result: InferenceResult, accepted?: readonly RuleProposal[]): string {
  const r = result.report;
  const lines: string[] = [`Proposed definition: ${result.definition.name}`, '', 'Files'];
  for (const f of [r.files.a, r.files.b]) lines.push(...dialectLines(f));
  lines.push('', `Key: ${r.key.value.join(' + ')} ↔ ${r.key.bColumns.join(' + ')} ${conf(r.key.confidence)}`, `  ${r.key.reason}`);
  if (r.key.duplicatesA + r.key.duplicatesB > 0) {
    const sides = [r.key.duplicatesA > 0 ? `about ${n(r.key.duplicatesA)} in A` : '', r.key.duplicatesB > 0 ? `${n(r.key.duplicatesB)} among matched B records` : ''];
    lines.push(`  duplicates: ${sides.filter((x) => x !== '').join(', ')} (reported as DUPLICATE_KEY)`);
  }
  lines.push('', 'Fields (A ↔ B, type, confidence, why)');
  const w = Math.max(...r.fields.map((f) => f.name.length), 4);
  const wb = Math.max(...r.fields.map((f) => f.b.length), 4);
  for (const f of r.fields) {
    const agree = f.agreement === null ? '' : `; agree ${pct(f.agreement)}`;
    lines.push(`  ${f.name.padEnd(w)} ↔ ${f.b.padEnd(wb)} ${f.type.value.padEnd(9)} ${conf(f.mapping.confidence)} ${f.mapping.reason}${agree}`);
    if (f.scale !== undefined) lines.push(`  ${' '.repeat(w)}   scale ${f.scale}`);
    if (f.case) lines.push(`  ${' '.repeat(w)}   case upper ${conf(f.case.confidence)}: ${f.case.reason}`);
    if (f.map) lines.push(`  ${' '.repeat(w)}   map ${conf(f.map.confidence)}: ${f.map.reason}`);
    if (f.notCompared) lines.push(`  ${' '.repeat(w)}   NOT COMPARED: ${f.notCompared}`);
  }
  if (r.unmatched.a.length + r.unmatched.b.length > 0) {
    lines.push('', `Not mapped (not compared): A ${list(r.unmatched.a)}; B ${list(r.unmatched.b)}`);
  }
  if (r.currencyField) lines.push('', `Currency field: ${r.currencyField.value} ${conf(r.currencyField.confidence)} ${r.currencyField.reason}`);
  if (r.questions.length > 0) {
    lines.push('', 'Decide before running (a field in question is left out of the definition; the key is used as proposed):');
    for (const q of r.questions) {
      lines.push(`  ? ${q.message}`, `    options: ${q.options.join(' | ')}`);
      if (q.hint) lines.push(`    hint: ${q.hint}`);
    }
  }
  if (r.refusedMaps.length > 0) {
    lines.push('', 'Not value maps (differences stay breaks):');
    for (const m of r.refusedMaps.slice(0, 8)) lines.push(`  ${m.field}: "${m.from}" → "${m.to}" (${n(m.records)} records): ${m.reason}`);
  }
  if (r.rules.length > 0) {
    const taken = new Set(accepted ?? []);
    lines.push(
      '',
      accepted === undefined
        ? 'Patterns and tolerances (proposals for a person to accept; not in the definition — add the adjust or tolerance shown, or use --accept-rules):'
        : `Patterns and tolerances (${taken.size} column-wide rule${taken.size === 1 ? '' : 's'} accepted into the definition; the others are not in it):`,
    );
    for (const p of r.rules) {
      const mark = taken.has(p) ? 'RULE ✓' : p.columnWide ? 'RULE? ' : '      ';
      // A tolerance's examples are the records beyond it; a pattern's, records it explains.
      const examples = p.exampleKeys.length === 0 ? '' : p.tolerance ? ` (beyond it: ${p.exampleKeys.join(', ')})` : ` (e.g. ${p.exampleKeys.join(', ')})`;
      lines.push(`  ${mark} ${p.field}: ${p.reason}; ≈${n(p.estimatedRecords)} records in A${examples}`);
      const fragment = p.tolerance ? `"tolerance": ${JSON.stringify(p.tolerance)}` : `"adjust": ${JSON.stringify(p.adjust)}`;
      if (taken.has(p)) lines.push(`         accepted: ${fragment}`);
      else if (p.columnWide) lines.push(`         to accept: ${fragment}`);
    }
  }
  for (const warning of r.warnings) lines.push(`warning: ${warning}`);
  const total = Object.values(r.timings).reduce((s, v) => s + v, 0);
  lines.push('', `Sample: up to ${n(r.sample.rows)} rows per side (seed ${r.sample.seed}); ${n(r.sample.matchedRecords)} key-matched records; ${n(total)} ms`);
  return `${lines.join('\n')}\n`;
}

function dialectLines(f: DialectReport): string[] {
  const rows = f.rowsExact ? `${n(f.rows)} rows` : `≈${n(f.rows)} rows`;
  const sampled = f.sampled >= f.rows ? 'all sampled' : `${n(f.sampled)} sampled`;
  const out = [`  ${f.side.toUpperCase()}  ${basename(f.path)}: ${rows}, ${sampled}`];
  const item = (label: string, c: Choice<unknown> | undefined, show = (v: unknown): string => JSON.stringify(v)): void => {
    if (c) out.push(`     ${label.padEnd(10)} ${show(c.value).padEnd(22)} ${conf(c.confidence)} ${c.reason}`);
  };
  item('format', f.format, String);
  item('encoding', f.encoding, String);
  item('delimiter', f.delimiter);
  item('quote', f.quote);
  item('header', f.header);
  if (f.skipRows && f.skipRows.value > 0) item('skip rows', f.skipRows);
  item('decimal', f.decimalSeparator);
  item('thousands', f.thousandsSeparator);
  item('nulls', f.nullValues);
  for (const d of f.dateFormats) item('date', d.format, (v) => `${d.column}: ${v === null ? (d.format.confidence === 0 ? '??' : 'ISO') : String(v)}`);
  return out;
}

const n = (v: number): string => v.toLocaleString('en-US');
const pct = (v: number): string => `${Math.round(v * 1000) / 10}%`;
const conf = (v: number): string => `[${Math.round(v * 100)}%]`.padStart(6);
const list = (xs: readonly string[]): string => (xs.length === 0 ? '—' : xs.join(', '));
