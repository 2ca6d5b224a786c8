import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDB, type ProgressListener } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { LoadContext } from '../ingest/load-source.ts';
import { buildDefinition } from './build-definition.ts';
import { typeColumn, type TypedColumn } from './column-types.ts';
import { alignPaddedDigits } from './padded-digits.ts';
import { chooseCurrency } from './currency.ts';
import { planField, type FieldPlan } from './fields.ts';
import { chooseKey } from './key.ts';
import { assign, buildPairs, pairEvidence } from './matching.ts';
import { chooseConvention, type NumberConvention } from './numbers.ts';
import { fieldPatterns } from './patterns.ts';
import { fileEvidence, profileSide } from './profile.ts';
import { openSource, sampleSource, type InferSource, type Sampled } from './source.ts';
import type { DialectReport, InferenceResult, InferProgress, InferStage, RuleProposal, Side } from './types.ts';
import { isWideInfer, sampleWide, shortlist, wideSampleRows, type WideSampled } from './wide.ts';
import { oneToOne, wideCurrencyCodes, wideOneToOne, widePairEvidence, widePairs, widePlans } from './wide-match.ts';

/** Two files to propose a definition for. */
export interface InferRequest {
  aPath: string;
  bPath: string;
  /** Rows per side in the reservoir sample (default 20,000). */
  sampleRows?: number;
  /** Sampling seed: the same files and seed give the same proposal (default 42). */
  seed?: number;
  /** Name of the proposed definition (default "<a> vs <b> (inferred)"). */
  name?: string;
}

export interface InferHooks {
  onProgress?: (p: InferProgress) => void;
  signal?: AbortSignal;
}

/** Where each stage starts and ends on the overall bar: the samples (in parallel) and the B scan are the heavy parts. */
const STAGE_END: Record<InferStage, number> = { dialect: 0.05, sample: 0.45, match: 0.9, analyse: 0.99, done: 1 };
const STAGE_START: Record<InferStage, number> = { dialect: 0, sample: 0.05, match: 0.45, analyse: 0.9, done: 1 };

/** Proposes a recon definition for A and B, with a report of every choice. Reads only samples of both files. */
export async function inferDefinition(req: InferRequest, hooks: InferHooks = {}): Promise<InferenceResult> {
  const sampleRows = req.sampleRows ?? 20_000;
  const seed = req.seed ?? 42;
  const timings: Record<string, number> = {};
  let highest = 0;
  const report = (stage: InferStage, label: string, fraction = 0): void => {
    highest = Math.max(highest, STAGE_START[stage] + (STAGE_END[stage] - STAGE_START[stage]) * Math.min(1, Math.max(0, fraction)));
    hooks.onProgress?.({ stage, label, overall: highest });
  };
  const listener = (stage: InferStage, label: string): ProgressListener => (p) => report(stage, label, p.fraction ?? 0);
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };

  const scratch = await mkdtemp(join(tmpdir(), 'recon-infer-'));
  await mkdir(join(scratch, 'spill'));
  // Samples are small; a cap keeps DuckDB's scan buffers from growing with the files (an explicit setting wins).
  const memoryLimit = process.env['RECON_DUCKDB_MEMORY_LIMIT'] ?? '512MB';
  const db = await openDuckDB({ path: ':memory:', tempDirectory: join(scratch, 'spill'), memoryLimit });
  // Tables are plain (not TEMP) in this private in-memory database, so both connections see them.
  const second = await db.instance.connect();
  try {
    const ctx: LoadContext = { conn: db.connection, scratchDir: scratch, ...(hooks.signal ? { signal: hooks.signal } : {}) };
    report('dialect', 'Reading file headers');
    const srcA = await openSource(ctx, 'a', req.aPath);
    const srcB = await openSource(ctx, 'b', req.bPath);
    lap('dialect');
    // Both samples at once, on two connections: a REPEATABLE reservoir scan runs on one thread.
    report('sample', 'Sampling A and B');
    // allSettled: a failed side must not close the database under the other side's running query.
    // A wide file (hundreds of columns or more) is sampled and measured in long form (wide.ts).
    const wide = isWideInfer(srcA, srcB);
    // Its sides are sampled one after the other: reading thousands of columns takes much of the memory inference may use.
    const settled: PromiseSettledResult<Sampled>[] = wide
      ? await sequentially<Sampled>([
          () => sampleWide(ctx, srcA, sampleRows, seed, listener('sample', 'Sampling A and B')),
          () => sampleWide(ctx, srcB, sampleRows, seed, listener('sample', 'Sampling A and B')),
        ])
      : await Promise.allSettled([
          sampleSource(ctx, srcA, sampleRows, seed, listener('sample', 'Sampling A and B')),
          sampleSource({ ...ctx, conn: second }, srcB, sampleRows, seed, listener('sample', 'Sampling A and B')),
        ]);
    const failed = settled.find((x) => x.status === 'rejected');
    if (failed) throw failed.reason;
    const [sa, sb] = settled.map((x) => (x as PromiseFulfilledResult<Sampled>).value) as [Sampled, Sampled];
    lap('sample');
    if (sa.sampled === 0 || sb.sampled === 0) {
      const side = sa.sampled === 0 ? srcA : srcB;
      throw new ReconError('INPUT_EMPTY', `${side.path}: no data rows to infer from`, { file: side.path });
    }

    const sideA = await typeSide(ctx, srcA, sa);
    const sideB = await typeSide(ctx, srcB, sb);
    const conv = { a: sideA.conv, b: sideB.conv };
    await alignPaddedDigits(ctx.conn, sideA.columns, sideB.columns, conv);
    lap('profile');

    report('match', 'Matching records on the key');
    const short = wide ? shortlist(sideA.columns, sideB.columns) : undefined;
    const key = await chooseKey(
      ctx,
      { a: sideA.columns, b: sideB.columns, conv, sa, sb, srcB, ...(short ? { wide: { pairs: short.pairs, sa: sa as WideSampled, sb: sb as WideSampled } } : {}) },
      listener('match', 'Matching records on the key'),
    );
    lap('key');

    report('analyse', 'Mapping columns');
    const keyIdx = new Set(key.parts.map((p) => p.a.index));
    let matched: number;
    const plans: FieldPlan[] = [];
    /** Why pairs whose values match where both have one were left unmapped. */
    const mappingNotes: string[] = [];
    const rules: RuleProposal[] = [];
    if (short) {
      matched = await widePairs(ctx.conn, key.parts, conv);
      const planned = oneToOne(short.pairs)
        ? await wideOneToOne(ctx.conn, short.pairs, key.parts, key.caseFold, conv, sa.fraction)
        : await widePlans(ctx.conn, assign(await widePairEvidence(ctx.conn, short.pairs, conv), key.parts), keyIdx, key.caseFold, conv, sa.fraction);
      plans.push(...planned.plans);
      rules.push(...planned.rules);
    } else {
      matched = await buildPairs(ctx.conn, key.parts, sideA.columns, sideB.columns, conv);
      const evidence = await pairEvidence(ctx.conn, sideA.columns, sideB.columns);
      const chosen = assign(evidence, key.parts, mappingNotes);
      for (const e of chosen) plans.push(await planField(ctx.conn, e, keyIdx.has(e.a.index), key.caseFold));
      // Fields in A's column order, as a person reads the file.
      plans.sort((x, y) => x.a.index - y.a.index);
      for (const p of plans) rules.push(...(await fieldPatterns(ctx.conn, p, sa.fraction)));
    }
    const currency = await chooseCurrency(ctx.conn, plans, short ? (cols) => wideCurrencyCodes(ctx.conn, cols) : undefined);
    lap('analyse');

    const nullValues = { a: usedTokens(plans, 'a'), b: usedTokens(plans, 'b') };
    const definition = buildDefinition({
      a: srcA,
      b: srcB,
      conv,
      nullValues,
      key: key.report.value,
      fields: plans,
      ...(currency ? { currencyField: currency.value } : {}),
      ...(req.name ? { name: req.name } : {}),
    });
    const mappedA = new Set(plans.map((p) => p.a.index));
    const mappedB = new Set(plans.map((p) => p.b.index));
    report('done', 'Done', 1);
    return {
      definition,
      report: {
        files: { a: dialectReport(srcA, sa, sideA), b: dialectReport(srcB, sb, sideB) },
        columns: { a: sideA.columns.map((c) => c.report), b: sideB.columns.map((c) => c.report) },
        key: key.report,
        fields: plans.map((p) => p.report),
        unmatched: { a: sideA.columns.filter((c) => !mappedA.has(c.index)).map((c) => c.name), b: sideB.columns.filter((c) => !mappedB.has(c.index)).map((c) => c.name) },
        refusedMaps: plans.flatMap((p) => p.refused),
        rules,
        questions: [...(key.question ? [key.question] : []), ...plans.flatMap((p) => (p.question ? [p.question] : []))],
        ...(currency ? { currencyField: currency } : {}),
        warnings: [...(short?.warnings ?? []), ...key.warnings, ...mappingNotes],
        // A wide file's sample holds fewer records (WIDE_SAMPLE_CELLS values at most).
        sample: { rows: wide ? Math.max(wideSampleRows(sampleRows, srcA.columns.length), wideSampleRows(sampleRows, srcB.columns.length)) : sampleRows, seed, matchedRecords: matched },
        timings,
      },
    };
  } finally {
    second.closeSync();
    db.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs one after another, settling like Promise.allSettled. */
async function sequentially<T>(jobs: readonly (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = [];
  for (const job of jobs) {
    try {
      out.push({ status: 'fulfilled', value: await job() });
    } catch (reason) {
      out.push({ status: 'rejected', reason });
    }
  }
  return out;
}

interface TypedSide {
  columns: TypedColumn[];
  conv: NumberConvention;
  convention: ReturnType<typeof chooseConvention>;
}

async function typeSide(ctx: LoadContext, src: InferSource, s: Sampled): Promise<TypedSide> {
  const long = 'long' in s ? { relation: `(SELECT i, r FROM ${(s as WideSampled).long})`, rows: s.sampled } : undefined;
  const stats = await profileSide(ctx.conn, src.side, src.columns, s.table, s.rawTable, long);
  const convention = chooseConvention(fileEvidence(stats));
  const conv: NumberConvention = { decimal: convention.decimal.value, thousands: convention.thousands.value };
  return { columns: stats.map((c) => typeColumn(c, conv)), conv, convention };
}

function usedTokens(plans: readonly FieldPlan[], side: Side): string[] {
  const tokens = new Set<string>();
  for (const p of plans) if (p.type !== 'string') for (const t of p[side].usedNullTokens) tokens.add(t);
  return [...tokens].sort();
}

function dialectReport(src: InferSource, s: Sampled, side: TypedSide): DialectReport {
  const dates = side.columns.filter((c) => c.type === 'date' || c.type === 'timestamp');
  const tokens = [...new Set(side.columns.filter((c) => c.type !== 'string').flatMap((c) => c.usedNullTokens))];
  return {
    side: src.side,
    path: src.path,
    ...src.dialect,
    decimalSeparator: side.convention.decimal,
    ...(side.conv.thousands !== '' ? { thousandsSeparator: side.convention.thousands } : {}),
    dateFormats: dates.map((c) => ({
      column: c.name,
      format: c.ambiguous
        ? { value: null, confidence: 0, reason: c.report.reason }
        : { value: c.format ?? null, confidence: c.report.confidence, reason: c.report.reason },
    })),
    ...(tokens.length > 0 ? { nullValues: { value: tokens, confidence: 0.8, reason: 'values that stood in for "no value" in typed columns' } } : {}),
    columns: src.columns,
    rows: s.rows,
    rowsExact: s.rowsExact,
    sampled: s.sampled,
  };
}
