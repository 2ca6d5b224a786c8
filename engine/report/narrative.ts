import { breaksOf, largestGroups, type BreakFilter, type Group } from './narrative-data.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import { resolutionWords, resolvedIds, type RunMemory } from './memory.ts';
import type { ExportSummary } from './summary.ts';

/**
 * The run in plain words, starting with what changed since the previous run
 * of its series (break memory). Every number is read from the run, and each claim
 * about breaks carries the filter that selects them, their count and their
 * ids, so a reader can go from a sentence to the breaks behind it. Sentences
 * are plain text; the renderers escape them for Markdown or HTML.
 */
export interface Claim {
  id: number;
  /** What selects the breaks, in words a reviewer can apply as a grid filter. */
  selector: string;
  filter: BreakFilter;
  total: number;
  /** The first ids (all of them when `total` is small). */
  ids: number[];
}

/** Text, then the claim's marker, then `after`; `tight` joins it to the previous sentence without a space. */
export interface Sentence {
  text: string;
  claim?: number;
  after?: string;
  tight?: boolean;
}

export interface Narrative {
  title: string;
  paragraphs: { heading: string; sentences: Sentence[] }[];
  claims: Claim[];
}

const IDS_PER_CLAIM = 2000;

const TYPE_WORDS: Record<string, string> = { '1:1': 'one to one', '1:N': 'one A row to several B rows', 'N:1': 'several A rows to one B row', 'N:M': 'several to several' };

/** A matching run's first sentence: rows matched on each side, in how many groups of which kind, by how many rules. */
function matchingSentence(definition: string, a: number, b: number, m: NonNullable<ExportSummary['matching']>): string {
  const groups = Object.values(m.byType).reduce((x, y) => x + y, 0);
  const kinds = Object.entries(m.byType)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${n(v)} ${TYPE_WORDS[k] ?? k}`)
    .join(', ');
  return `${n(a)} rows in A and ${n(b)} in B were matched under "${definition}" by ${n(m.byRule.length)} rules: ${n(m.matchedRows.a)} rows of A and ${n(m.matchedRows.b)} of B in ${n(groups)} matches${kinds ? ` (${kinds})` : ''}${m.groupDifferences > 0 ? `, ${n(m.groupDifferences)} of them with an amount difference` : ''}.`;
}

/** Builds the narrative of a run. */
export async function buildNarrative(run: FinishedRun, s: ExportSummary): Promise<Narrative> {
  const claims: Claim[] = [];
  const claim = async (filter: BreakFilter, selector: string): Promise<{ id: number; total: number }> => {
    const found = await breaksOf(run.conn, run, filter, IDS_PER_CLAIM);
    const id = claims.length + 1;
    claims.push({ id, selector, filter, total: found.total, ids: found.ids });
    return { id, total: found.total };
  };
  const c = s.counts;
  const b = s.breaks;
  const paragraphs: Narrative['paragraphs'] = [];

  // What changed since the previous run comes first: it is what a daily reader looks for.
  if (s.memory) {
    const m = s.memory;
    const resolved = async (): Promise<number> => {
      const id = claims.length + 1;
      const prev = m.previousRunId ?? '';
      claims.push({ id, selector: `breaks of run ${prev} resolved in this run (ids in ${prev})`, filter: {}, total: m.lifecycle.resolved, ids: await resolvedIds(run, IDS_PER_CLAIM) });
      return id;
    };
    paragraphs.push({ heading: 'Since the previous run', sentences: await sinceSentences(m, claim, resolved) });
  }

  const m = s.matching;
  const overview: Sentence[] = [
    m
      ? { text: matchingSentence(s.definition, c.a, c.b, m) }
      : {
          text: `${n(c.a)} records in A and ${n(c.b)} in B were compared under "${s.definition}": ${n(c.matched)} matched on the key, ${n(c.matchedExact)} of them exactly${c.matchedWithinTolerance > 0 ? ` and ${n(c.matchedWithinTolerance)} within tolerance` : ''}.`,
        },
  ];
  if (m && m.ambiguous.a + m.ambiguous.b > 0) {
    const tied = await claim({ diffType: ['AMBIGUOUS'] }, 'diff type AMBIGUOUS');
    overview.push({ text: `${n(m.ambiguous.a + m.ambiguous.b)} rows tie between candidates under a rule and are left for a person to match.`, claim: tied.id });
  }
  if (c.missingInA + c.missingInB > 0) {
    const missing = await claim({ diffType: ['MISSING_IN_A', 'MISSING_IN_B'] }, 'diff type MISSING_IN_A or MISSING_IN_B');
    overview.push({ text: `${n(c.missingInB)} records of A have no match in B and ${n(c.missingInA)} records of B have no match in A.`, claim: missing.id });
  }
  if (c.rejectedA + c.rejectedB > 0) overview.push({ text: `${n(c.rejectedA + c.rejectedB)} input rows were rejected as unreadable; each is listed with its line, column and reason in the run's rejects (the XLSX export's Rejects sheet).` });
  paragraphs.push({ heading: 'What was compared', sentences: overview });

  const all = await claim({}, 'all breaks');
  const auto = await claim({ status: 'AUTO' }, 'model status AUTO');
  const breaks: Sentence[] = [
    { text: `${n(b.total)} breaks were found`, claim: all.id },
    {
      text: `, ${pct(b.total === 0 ? 1 : auto.total / b.total)} of them (${n(auto.total)}) explained automatically`,
      claim: auto.id,
      after: `; ${n(b.total - auto.total)} wait for a reviewer.`,
      tight: true,
    },
  ];
  const groups = (await largestGroups(run.conn, run, 4)).filter((g) => g.n > 0);
  for (const [i, g] of groups.entries()) {
    const gc = await claim(groupFilter(g), groupSelector(g));
    const last = i === groups.length - 1;
    const lead = i === 0 ? 'The largest group is ' : last ? ' and ' : i === 1 ? ', followed by ' : ', ';
    breaks.push({ text: `${lead}${describe(g)}`, claim: gc.id, ...(last ? { after: '.' } : {}), tight: i > 0 });
  }
  paragraphs.push({ heading: 'Breaks', sentences: breaks });

  // Differences that follow a simple rule (a shifted date, a scaled or negated amount) are worth naming apart.
  const patterned = await largestGroups(run.conn, run, 3, true);
  if (patterned.length > 0) {
    const sentences: Sentence[] = [];
    for (const [i, g] of patterned.entries()) {
      const gc = await claim(groupFilter(g), groupSelector(g));
      const last = i === patterned.length - 1;
      const lead = i === 0 ? 'Among differences that follow a simple pattern, the most common are ' : last ? ' and ' : ', ';
      sentences.push({ text: `${lead}${describe(g)}`, claim: gc.id, ...(last ? { after: '.' } : {}), tight: i > 0 });
    }
    paragraphs.push({ heading: 'Patterns', sentences });
  }

  const reasons: Sentence[] = [];
  const byReason = Object.entries(b.byReason).sort((x, y) => y[1] - x[1]);
  for (const [reason, count] of byReason.slice(0, 10)) {
    const rc = await claim({ reason }, `reason ${reason}`);
    reasons.push({ text: `${reason}: ${n(count)} (${pct(b.total === 0 ? 0 : count / b.total)})${reason === 'UNKNOWN' ? ', matching no known pattern with enough confidence' : ''}.`, claim: rc.id });
  }
  // FX rates inferred without an FX table, in words, with the proposal for the definition.
  const fx = s.model.fxProposals ?? [];
  if (fx.length > 0) {
    const shown = fx.slice(0, 6).map((p) => `B/A = ${p.rate} on ${n(p.breaks)} ${p.group ? `${p.group} ` : ''}${p.field} breaks`);
    reasons.push({
      text: `With no FX table for them, one rate per ${fx[0]!.groupColumn ?? 'field'} explains FX differences: ${listed(shown)}${fx.length > 6 ? ` and ${n(fx.length - 6)} more` : ''}; these can be accepted into the definition's attribution.fxRates.`,
    });
  }
  if (reasons.length > 0) paragraphs.push({ heading: 'By reason', sentences: reasons });

  const failed = s.checks.filter((x) => !x.passed);
  const gate: Sentence[] = [
    {
      text: s.gate.passed
        ? `The quality gate passed: all ${n(s.checks.length)} integrity checks passed and ${pct(s.gate.unknownRate)} of breaks are unknown, within the ${pct(s.gate.unknownRateLimit)} limit.`
        : `The quality gate failed: ${s.gate.reasons.join('; ')}.`,
    },
  ];
  // Records nobody compared: the gate passes with them, and says so.
  for (const w of s.gate.warnings) gate.push({ text: `The gate warns: ${w}.` });
  for (const f of failed.slice(0, 5)) gate.push({ text: `Check ${f.name} failed: expected ${f.expected}, found ${f.actual}${f.discrepancy ? ` (off by ${f.discrepancy})` : ''}.` });
  const top = s.topBreaks[0];
  if (top) {
    const id = claims.length + 1;
    claims.push({ id, selector: `break ${top.breakId}`, filter: {}, total: 1, ids: [top.breakId] });
    gate.push({ text: `The largest difference by amount is ${top.delta}${top.currency ? ` ${top.currency}` : ''} on ${top.field} of record ${top.key}.`, claim: id });
  }
  const totals = s.controlTotals.filter((t) => Number(t.difference) !== 0);
  if (s.controlTotals.length > 0) {
    gate.push({
      text:
        totals.length === 0
          ? `Control totals agree for every field and currency (${n(s.controlTotals.length)}).`
          : `Control totals differ for ${n(totals.length)} of ${n(s.controlTotals.length)} field and currency pairs; for example ${totals[0]!.field} in ${totals[0]!.currency} by ${totals[0]!.difference}.`,
    });
  }
  paragraphs.push({ heading: 'Controls', sentences: gate });

  const review = reviewSentences(s.review);
  if (review.length > 0) paragraphs.push({ heading: 'Review', sentences: review });
  return { title: `Reconciliation ${s.runId}: ${s.definition}`, paragraphs, claims };
}

type ClaimOf = (filter: BreakFilter, selector: string) => Promise<{ id: number; total: number }>;

/** What changed since the previous run, in words: one sentence for the first run of a series. */
async function sinceSentences(m: RunMemory, claim: ClaimOf, resolvedClaim: () => Promise<number>): Promise<Sentence[]> {
  if (m.previousRunId === null) return [{ text: `This is the first run of the series "${m.series}" (as of ${m.asOf}): there is no earlier run to compare with.` }];
  const lc = m.lifecycle;
  const out: Sentence[] = [];
  const isNew = await claim({ lifecycle: 'NEW' }, 'lifecycle NEW');
  const carried = await claim({ lifecycle: 'CARRIED' }, 'lifecycle CARRIED');
  const changed = await claim({ lifecycle: 'CHANGED' }, 'lifecycle CHANGED');
  out.push(
    { text: `As of ${m.asOf}, compared with the previous run ${m.previousRunId}, ${n(lc.new)} ${plural(lc.new, 'break is', 'breaks are')} new`, claim: isNew.id },
    { text: `, ${n(lc.carried)} carried over with the same values`, claim: carried.id, tight: true },
    { text: ` and ${n(lc.changed)} changed value`, claim: changed.id, after: '.', tight: true },
  );
  if (lc.resolved === 0) out.push({ text: 'No break of the previous run was resolved.' });
  else {
    const how = Object.entries(m.resolvedBy).map(([k, v]) => `${n(v)} because ${resolutionWords(k)}`);
    out.push({ text: `${n(lc.resolved)} ${plural(lc.resolved, 'break', 'breaks')} of the previous run ${plural(lc.resolved, 'is', 'are')} resolved`, claim: await resolvedClaim(), after: `: ${listed(how)}.` });
  }
  if (m.decisionsCarried + m.decisionsDropped === 0) out.push({ text: 'No decision of the previous run was carried over.' });
  else {
    if (m.decisionsCarried > 0) {
      const kept = await claim({ decisionCarried: true }, 'decision carried from the previous run');
      out.push({
        text: `${n(m.decisionsCarried)} ${plural(m.decisionsCarried, 'decision', 'decisions')} made on the previous run ${plural(m.decisionsCarried, 'carries', 'carry')} over to breaks whose values did not change`,
        claim: kept.id,
        after: m.decisionsDropped > 0 ? ';' : '.',
      });
    }
    if (m.decisionsDropped > 0) {
      const dropped = await claim({ decisionCarried: false }, 'decision dropped: values changed');
      out.push({
        text: `${n(m.decisionsDropped)} ${m.decisionsCarried > 0 ? plural(m.decisionsDropped, 'was', 'were') : plural(m.decisionsDropped, 'decision was', 'decisions were')} dropped because the values of ${plural(m.decisionsDropped, 'its break', 'their breaks')} changed, and ${plural(m.decisionsDropped, 'it needs', 'they need')} a new decision`,
        claim: dropped.id,
        after: '.',
      });
    }
  }
  const o = m.oldest;
  if (o && (o.ageDays > 0 || o.ageRuns > 1)) {
    const old = await claim({ minAgeDays: o.ageDays }, `age ${o.ageDays} days or more`);
    out.push({
      text: `The oldest ${plural(o.n, 'break has', 'breaks have')} been open ${n(o.ageDays)} ${plural(o.ageDays, 'day', 'days')} (${n(o.ageRuns)} ${plural(o.ageRuns, 'run', 'runs')}), since ${o.firstSeenAsOf}: ${n(o.n)}`,
      claim: old.id,
      after: '.',
    });
  }
  if (m.hasSla) {
    if (m.overdue === 0) out.push({ text: "No break is past its reason's SLA." });
    else {
      const late = await claim({ overdue: true }, 'past the SLA of its reason');
      out.push({ text: `${n(m.overdue)} ${plural(m.overdue, 'break is', 'breaks are')} past their reason's SLA`, claim: late.id, after: '.' });
    }
  }
  return out;
}

const plural = (k: number, one: string, many: string): string => (k === 1 ? one : many);
/** "a", "a and b", "a, b and c". */
const listed = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`);

/** Reviewers' progress in words, from the same figures as the run overview: decided means a final status now. */
function reviewSentences(r: ExportSummary['review']): Sentence[] {
  const p = r.proposals;
  if (r.decided + p.pending + p.approved + p.rejected + p.withdrawn + Object.keys(r.byStatus).length === 0) return [];
  const out: Sentence[] = [];
  const parts = (
    [
      ['accepted', r.decidedByStatus.ACCEPTED],
      ['overridden', r.decidedByStatus.OVERRIDDEN],
      ['rejected', r.decidedByStatus.REJECTED],
    ] as const
  ).filter(([, v]) => v > 0);
  out.push({ text: `Reviewers have decided on ${n(r.decided)} of ${n(r.breaks)} breaks${parts.length > 0 ? `: ${parts.map(([k, v]) => `${n(v)} ${k}`).join(', ')}` : ''}.` });
  if (p.pending > 0) out.push({ text: `${n(p.pending)} proposal${p.pending === 1 ? '' : 's'} (${n(p.pendingBreaks)} break${p.pendingBreaks === 1 ? '' : 's'}) wait${p.pending === 1 ? 's' : ''} for an approver.` });
  if (p.rejected > 0) out.push({ text: `${n(p.rejected)} proposal${p.rejected === 1 ? ' was' : 's were'} rejected by an approver; ${p.rejected === 1 ? 'its' : 'their'} breaks went back to review.` });
  if (p.withdrawn > 0) out.push({ text: `${n(p.withdrawn)} proposal${p.withdrawn === 1 ? ' was' : 's were'} withdrawn by ${p.withdrawn === 1 ? 'its maker' : 'their makers'}; ${p.withdrawn === 1 ? 'its' : 'their'} breaks went back to review.` });
  return out;
}

function groupFilter(g: Group): BreakFilter {
  return { reason: g.reason, field: g.field, diffType: g.diffType, ...(g.side ? { side: g.side } : {}), pattern: g.pattern };
}

function groupSelector(g: Group): string {
  const parts = [`reason ${g.reason}`, `field ${g.field}`, `diff type ${g.diffType}`];
  if (g.side) parts.push(`side ${g.side.toUpperCase()}`);
  parts.push(g.pattern ? `pattern ${g.pattern}` : 'no simple pattern');
  return parts.join(', ');
}

/** A group in words: "4,990 SettleDate values one business day later in B". */
export function describe(g: Group): string {
  const count = n(g.n);
  switch (g.diffType) {
    case 'MISSING_IN_B':
      return `${count} records of A missing from B`;
    case 'MISSING_IN_A':
      return `${count} records of B missing from A`;
    case 'DUPLICATE_KEY':
      return `${count} records whose key appears more than once${g.side ? ` (rows of ${g.side.toUpperCase()})` : ''}`;
    case 'REJECTED_IN_A':
      return `${count} records of B whose A record was rejected (see the rejects)`;
    case 'REJECTED_IN_B':
      return `${count} records of A whose B record was rejected (see the rejects)`;
  }
  const p = g.pattern;
  if (p?.startsWith('bd:')) {
    const k = Number(p.slice(3));
    if (k !== 0) return `${count} ${g.field} values ${words(Math.abs(k))} business day${Math.abs(k) === 1 ? '' : 's'} ${k > 0 ? 'later' : 'earlier'} in B than in A`;
    return `${count} ${g.field} values on another day of the same weekend`;
  }
  if (p === 'x1000' || p === 'x100') return `${count} ${g.field} values ${p === 'x1000' ? '1,000' : '100'} times larger in B`;
  if (p === 'x0.001' || p === 'x0.01') return `${count} ${g.field} values ${p === 'x0.001' ? '1,000' : '100'} times smaller in B`;
  if (p === 'sign') return `${count} ${g.field} values with the sign flipped`;
  return `${count} ${g.field} differences attributed to ${g.reason}`;
}

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const words = (k: number): string => WORDS[k] ?? n(k);
const n = (v: number): string => v.toLocaleString('en-US');
const pct = (v: number): string => `${(Math.round(v * 1000) / 10).toFixed(1)}%`;
