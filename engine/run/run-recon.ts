import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { join, resolve } from 'node:path';
import { attributeBreaks } from '../attribution/attribute.ts';
import { loadCurrentModel } from '../attribution/model-store.ts';
import { qualityGate } from '../attribution/quality-gate.ts';
import { fieldTolerances } from '../attribution/rules.ts';
import type { RunReasonRule } from '../rules/apply-run.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { CHECKS_DDL, runIntegrityChecks, startSourceKeyHashes, type ClusterSideChecks, type EarlyKeyHashes } from '../checks/integrity.ts';
import type { ControlTotal } from '../checks/control-totals.ts';
import { runCounts, type RunCounts } from '../checks/row-accounting.ts';
import type { RunSummary } from '../contract/index.ts';
import { resolveDefinition } from '../definition/resolve.ts';
import type { Definition, QueryParamValue } from '../definition/schema.ts';
import { databaseColumnTypes } from '../ingest/db/column-types.ts';
import { readBreakCounts, readFieldStats } from '../diff/counts.ts';
import { diffStatements, DUPLICATE_KEYS_SQL } from '../diff/sql.ts';
import { memoryLimitBytes, openDuckDB, queryRows, runWithProgress, type ProgressListener } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import { fingerprintSource, loadSource, prepareSource, type LoadContext, type LoadedSource, type PreparedSource } from '../ingest/load-source.ts';
import { writeLineMap } from '../ingest/line-map.ts';
import { recoverRejectKeys } from '../ingest/reject-keys.ts';
import { REJECTS_DDL } from '../ingest/rejects.ts';
import { stageSource, type StagedSource } from '../normalize/stage.ts';
import { attachStage, keepBreakRecords, STAGE_CATALOG, stageFitsInMemory } from '../normalize/break-records.ts';
import { finishWideViews, planWide, stageWide, type WideStagedSource } from '../normalize/wide.ts';
import { mergeWideBreaks, wideCompare } from '../diff/wide.ts';
import { matchedWithDifference } from '../match/counts.ts';
import { runMatching, type MatchingResult } from '../match/run-matching.ts';
import { planMatching } from '../match/plan.ts';
import { writeRunOutputs } from '../report/run-outputs.ts';
import { resolveAsOf } from '../series/as-of.ts';
import { BREAK_HISTORY, keepCarriedReasons, linkToPreviousRun, PREVIOUS_BREAKS, readCarriedDecisions, type CarriedDecision, type PreviousDecision } from '../series/link.ts';
import { findPreviousRun, namedPreviousRun, type PreviousRun } from '../series/previous-run.ts';
import { overallProgress, type ProgressSink, type RunStage } from './progress.ts';
import { newRunId } from './run-id.ts';
import type { ClusterTarget } from '../clickhouse/cluster-target.ts';

/** What a caller asks for: two files, a parsed definition and a workspace. */
export interface RunRequest {
  aPath: string;
  bPath: string;
  definition: Definition;
  workspace: string;
  /** Also write summary.json and breaks.csv here. */
  outDir?: string;
  runId?: string;
  memoryLimit?: string;
  /**
   * The run of the series this one is linked to (engine/series): a run id
   * (`--previous`), or null for none; by default the latest completed run of
   * the same definition in the workspace.
   */
  previousRunId?: string | null;
  /** Decisions in force on the previous run's breaks (from the workflow store), to carry forward. */
  previousDecisions?: readonly PreviousDecision[];
  /** The run's as-of date (YYYY-MM-DD); by default the definition's asOfField, else the run date. */
  asOf?: string;
  /** The saved version the definition is (`recon run --definition NAME`), for the runs registry; the run itself ignores it. */
  definitionVersion?: number;
  /** `recon run --param name=value`: values for query sources' :name parameters, replacing the definition's. */
  params?: Record<string, QueryParamValue>;
  /** The team's reason rules in force for the definition, in order (the host reads them from the workflow store: engine/rules). */
  reasonRules?: readonly RunReasonRule[];
  /** `recon run --engine clickhouse --cluster URL`: the diff runs on this cluster (engine/clickhouse); the rest of the run is local. */
  cluster?: ClusterTarget;
}

/** The run's result, as written to summary.json: declared once, as a schema of the contract. */
export type { RunSummary } from '../contract/index.ts';
/** One rejected row of the summary's sample. */
export type RejectSample = RunSummary['rejects']['sample'][number];

/** The inputs' SHA-256 (hex). */
export interface InputFingerprints {
  a: string;
  b: string;
}

export interface RunHooks {
  onProgress?: ProgressSink;
  signal?: AbortSignal;
  /** Called once both inputs are hashed, before the run ends (the registry records the run's start with them). */
  onFingerprints?: (inputs: InputFingerprints) => void;
  /** Called once the breaks are linked to the previous run, when previous decisions were handed in: which carry, which drop. */
  onCarried?: (fromRunId: string, carried: CarriedDecision[]) => void;
}

export { newRunId } from './run-id.ts';
export type { ControlTotal, RunCounts };

/** Runs one reconciliation of A against B into `runs/<run-id>.duckdb`. */
export async function runRecon(req: RunRequest, hooks: RunHooks = {}): Promise<RunSummary> {
  const startedAt = new Date();
  const runId = req.runId ?? newRunId(startedAt);
  const workspace = resolve(req.workspace);
  const runsDir = join(workspace, 'runs');
  const scratchDir = join(workspace, 'tmp', runId);
  await mkdir(runsDir, { recursive: true, mode: 0o700 });
  await mkdir(join(scratchDir, 'spill'), { recursive: true, mode: 0o700 });
  const dbPath = join(runsDir, `${runId}.duckdb`);
  const timings: Record<string, number> = {};
  const signal = hooks.signal;

  // Sub-steps restart their own fraction at 0; the overall bar never moves back.
  let highest = 0;
  const report = (stage: RunStage, label: string, fraction: number, rowsDone = 0, rowsTotal?: number): void => {
    highest = Math.max(highest, overallProgress(stage, fraction));
    hooks.onProgress?.({ stage, label, rowsDone, rowsTotal, overall: highest });
  };
  const listener = (stage: RunStage, label: string): ProgressListener => (p) =>
    report(stage, label, p.fraction ?? 0, p.rowsDone, p.rowsTotal);
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };
  const checkCancelled = (): void => {
    if (signal?.aborted) throw new ReconError('RUN_CANCELLED', `run ${runId} was cancelled`);
  };

  const db = await openDuckDB({
    path: dbPath,
    tempDirectory: join(scratchDir, 'spill'),
    ...(req.memoryLimit !== undefined ? { memoryLimit: req.memoryLimit } : {}),
  });
  const conn = db.connection;
  let ok = false;
  // Prepared sources not loaded yet: a query source's open session, ended if the run stops first.
  const unloaded: PreparedSource[] = [];
  // The key hash check's second reads of the files, run while the sides are staged (checks/integrity.ts).
  let earlyKeyHashes: EarlyKeyHashes | undefined;
  // Attribution's second connection (step 6), closed before the database is.
  let predictConn: DuckDBConnection | undefined;
  try {
    // No wrapping transaction: DuckDB builds large tables 1.5-2x slower inside
    // an explicit one. A failed run deletes its file instead (see finally).
    // No vacuum at checkpoint: the staging statements write their row groups
    // in parallel batches, leaving a partial one here and there, and merging
    // them on close rewrote (recompressed) the whole table: ~0.6 s at 1M rows
    // for one partial row group left in place. The file is written once.
    await conn.run('SET max_vacuum_tasks = 0');
    // No FSST string compression: choosing and applying it for columns of
    // unique strings (trade ids, free text) cost ~0.25 s per side and million
    // rows of staging; repeated strings still get dictionary compression. The
    // price is disk: the 1M-row benchmark's run file takes 65 MB instead of 48.
    await conn.run(`SET disabled_compression_methods = 'fsst'`);
    await conn.run(REJECTS_DDL);
    await conn.run(CHECKS_DDL);
    const ctx = (stage: RunStage, label: string): LoadContext => ({
      conn,
      scratchDir,
      onProgress: listener(stage, label),
      ...(signal ? { signal } : {}),
    });

    // 1. Prepare both sides and bind the definition before any heavy work.
    // A query source connects and describes its query here (its path is only a label).
    report('prepare', 'Checking files and definition', 0);
    const qenv = { workspace, ...(req.params ? { params: req.params } : {}) };
    const [prepA, prepB] = await timed('prepare', async () => {
      const a = await prepareSource(ctx('prepare', 'A'), 'a', req.aPath, req.definition.sources.a, qenv);
      unloaded.push(a);
      const b = await prepareSource(ctx('prepare', 'B'), 'b', req.bPath, req.definition.sources.b, qenv);
      unloaded.push(b);
      return [a, b];
    });
    // A matching run pairs rows by its rules' fields; columns it does not list are not staged.
    const matchingDef = req.definition.matching;
    const resolved = resolveDefinition(
      matchingDef ? { ...req.definition, compareUnlisted: false } : req.definition,
      { path: prepA.originalPath, columns: prepA.columns },
      { path: prepB.originalPath, columns: prepB.columns },
      // A query source's columns are typed as its database declares, where the definition leaves them strings.
      databaseColumnTypes(prepA, prepB),
    );
    const matchPlan = matchingDef ? planMatching(resolved, matchingDef) : undefined;
    checkCancelled();

    // 2. Ingest.
    report('ingest-a', 'Reading source A', 0);
    unloaded.splice(unloaded.indexOf(prepA), 1);
    const loadedA = await timed('ingestA', () => loadSource(ctx('ingest-a', 'Reading source A'), prepA));
    checkCancelled();
    report('ingest-b', 'Reading source B', 0);
    unloaded.splice(unloaded.indexOf(prepB), 1);
    const loadedB = await timed('ingestB', () => loadSource(ctx('ingest-b', 'Reading source B'), prepB));
    checkCancelled();

    // The inputs' SHA-256, in JavaScript while DuckDB stages them; awaited for the summary.
    const fingerprints = Promise.all([fingerprintSource(loadedA), fingerprintSource(loadedB)]).then(() =>
      hooks.onFingerprints?.({ a: loadedA.file.sha256, b: loadedB.file.sha256 }),
    );
    fingerprints.catch(() => undefined); // a run failing before then must not leave it unhandled
    // The key hash check's independent reads of the files, on a connection of their own: the
    // staging statements leave part of a core idle, and the checks wait ~0.4 s less at 1M rows.
    const keyHashes = startSourceKeyHashes(resolved, [loadedA, loadedB], { portable: req.cluster !== undefined, signal });
    earlyKeyHashes = keyHashes;

    // 3. Normalize. Row order only matters while loading (rowid = position in
    // the file); from here on DuckDB may write tables in any order, which is faster.
    await conn.run('SET preserve_insertion_order = false');
    report('normalize', 'Typing and normalizing', 0);
    // Hundreds of fields or more are staged and compared in long form (normalize/wide.ts).
    const wide = matchPlan ? undefined : planWide(resolved, Math.max(loadedA.sourceRecords, loadedB.sourceRecords));
    if (req.cluster && (matchPlan || wide)) {
      throw new ReconError('INVALID_ARGUMENT', `--engine clickhouse runs keyed definitions of up to a few hundred fields; this one ${matchPlan ? 'matches without a key' : 'is wide'}: run it locally`);
    }
    if (req.cluster?.normalizeOnCluster) {
      // What ClickHouse 18.16 cannot normalize as the local engine does is refused before any work.
      const { assertClusterCanNormalize } = await import('../clickhouse/normalize-on-cluster.ts');
      assertClusterCanNormalize(resolved, req.definition.sources, { a: loadedA.file.format, b: loadedB.file.format });
    }
    // A keyed run that fits in memory stages there and keeps in its file only the records its
    // breaks name (normalize/break-records.ts); a matching run's views list every row, and a wide
    // run stages in long form.
    // RECON_STAGE_IN_MEMORY=0 stages into the file always: tests of staging read every staged row back.
    const stagedInMemory =
      !matchPlan &&
      !wide &&
      process.env['RECON_STAGE_IN_MEMORY'] !== '0' &&
      stageFitsInMemory(loadedA.sourceRecords + loadedB.sourceRecords, resolved.fields.length, await memoryLimitBytes(conn));
    if (stagedInMemory) await attachStage(conn);
    const stage = (loaded: LoadedSource, label: string): Promise<StagedSource & Partial<Pick<WideStagedSource, 'controlTotalRows'>>> => {
      const source = req.definition.sources[loaded.side];
      return wide
        ? stageWide(conn, wide, loaded, source, listener('normalize', label), signal)
        : stageSource(conn, resolved, loaded, source, listener('normalize', label), signal, stagedInMemory ? STAGE_CATALOG : undefined);
    };
    const [stagedA, stagedB] = await timed('normalize', async () => {
      const a = await stage(loadedA, 'Normalizing A');
      // A's staged table, written, stays cached while B is staged, though nothing reads it
      // before the diff: dropping it kept a 1M-row, 60-column run's peak at 1.4 GB, not 1.7 GB.
      // (A stage in memory has nothing to drop: it would spill.)
      if (!stagedInMemory) await db.dropCachedBlocks();
      return [a, await stage(loadedB, 'Normalizing B')];
    });
    // Where each staged row is in its file (a few points per side), for the break detail.
    await writeLineMap(conn, [
      { loaded: loadedA, rows: stagedA.staged + stagedA.rejected },
      { loaded: loadedB, rows: stagedB.staged + stagedB.rejected },
    ]);
    // The keys of records rejected whole, so their counterparts are REJECTED_IN_A/B (ingest/reject-keys.ts).
    if (!matchPlan) for (const l of [loadedA, loadedB]) await recoverRejectKeys(conn, resolved, l, req.definition.sources[l.side]);
    checkCancelled();

    // 4. Diff, or for a matching definition the rules (engine/match): both write `breaks`.
    let matching: MatchingResult | undefined;
    // A cluster run: what the integrity checks read of each side on the cluster (clickhouse/cluster-checks.ts).
    let onCluster: { a: ClusterSideChecks; b: ClusterSideChecks } | undefined;
    await timed('diff', async () => {
      if (matchPlan) {
        // Duplicated ids first: such rows are never matched (DUPLICATE_KEY breaks).
        await conn.run(DUPLICATE_KEYS_SQL);
        matching = await runMatching(conn, matchPlan, {
          onProgress: (rule, fraction) => report('diff', `Matching: ${rule}`, fraction),
          ...(signal ? { signal } : {}),
        });
        return;
      }
      if (req.cluster) {
        // The same diff on the cluster, which joins there (and with --cluster-normalize normalizes the
        // raw text itself, checked against the local staging): only the pairs that differ come back (engine/clickhouse).
        const { diffOnCluster } = await import('../clickhouse/run-on-cluster.ts');
        const sides = { a: { loaded: loadedA, source: req.definition.sources.a }, b: { loaded: loadedB, source: req.definition.sources.b } };
        onCluster = await diffOnCluster(conn, resolved, req.cluster, { runId, scratchDir, timings, sides, onStep: (label, f) => report('diff', label, f), ...(signal ? { signal } : {}) });
        return;
      }
      for (const st of diffStatements(wide?.narrow ?? resolved).statements) {
        report('diff', `Diff: ${st.label}`, 0);
        await runWithProgress(conn, st.sql, listener('diff', `Diff: ${st.label}`), signal);
      }
      if (wide) {
        report('diff', 'Diff: fields', 0);
        await wideCompare(conn, wide, listener('diff', 'Diff: fields'), signal);
        await mergeWideBreaks(conn);
      }
    });
    checkCancelled();

    // 4b. Break memory: the breaks linked to the previous run of the series.
    const asOf = await resolveAsOf(conn, resolved, req.asOf, startedAt);
    const previous: PreviousRun | undefined =
      req.previousRunId === null
        ? undefined
        : req.previousRunId !== undefined
          ? await namedPreviousRun(workspace, req.previousRunId)
          : await findPreviousRun(workspace, req.definition.name, runId);
    const memoryWarnings: string[] = [];
    // The run the breaks are linked to: the previous run, unless it could not be read.
    let linked = previous;
    const lifecycle = await timed('memory', async () => {
      const link = (linked: PreviousRun | undefined) =>
        linkToPreviousRun(conn, {
          runId,
          series: req.definition.name,
          asOf: asOf.date,
          ...(linked ? { previous: linked } : {}),
          ...(linked && req.previousDecisions ? { previousDecisions: req.previousDecisions } : {}),
        });
      try {
        const counts = await link(previous);
        if (previous && req.previousDecisions && req.previousDecisions.length > 0) hooks.onCarried?.(previous.runId, await readCarriedDecisions(conn));
        return counts;
      } catch (err) {
        if (!previous || signal?.aborted) throw err;
        // An unreadable previous run (a damaged or foreign file) must not stop every later run of the series.
        memoryWarnings.push(
          `break memory: the previous run ${previous.runId} could not be read (${err instanceof Error ? err.message.slice(0, 200) : String(err)}); this run is not linked to it and carries no decisions`,
        );
        linked = undefined;
        return link(undefined);
      }
    });
    checkCancelled();

    // 5. Checks and counts, run by attribution (6) while its forest predicts in JavaScript
    // and leaves a core idle: the checks on this connection, the predictions on a second one.
    report('checks', 'Integrity checks', 0);
    const runChecks = () =>
      timed('checks', () =>
        runIntegrityChecks(conn, resolved, [
          { loaded: loadedA, staged: stagedA, source: req.definition.sources.a, sourceKeyHash: keyHashes.a, onCluster: onCluster?.a, ...(stagedA.controlTotalRows ? { controlTotalRows: stagedA.controlTotalRows } : {}) },
          { loaded: loadedB, staged: stagedB, source: req.definition.sources.b, sourceKeyHash: keyHashes.b, onCluster: onCluster?.b, ...(stagedB.controlTotalRows ? { controlTotalRows: stagedB.controlTotalRows } : {}) },
        ], matchPlan ? 'match' : 'key'),
      );
    let checked: Awaited<ReturnType<typeof runChecks>> | undefined;
    predictConn = await db.instance.connect();

    // 6. Attribution: a reason code and a confidence for every break.
    report('attribute', 'Attributing breaks', 0);
    const attribution = await timed('attribution', async () => {
      const { model } = await loadCurrentModel(workspace);
      const fx = req.definition.attribution.fxRates;
      return attributeBreaks(conn, {
        alongside: { connection: predictConn!, work: async () => void (checked = await runChecks()) },
        model,
        threshold: req.definition.attribution.threshold,
        ...(fx ? { fx } : {}),
        // The rules (attribution/rules.ts) read the fields' tolerances and A's records (a currency column for FX).
        tolerances: fieldTolerances(req.definition.fields),
        recordsA: RUN_TABLES.a,
        ...(linked ? { previousBreaks: PREVIOUS_BREAKS, history: BREAK_HISTORY } : {}),
        afterAttribute: () => keepCarriedReasons(conn),
        ...(req.reasonRules ? { reasonRules: req.reasonRules } : {}),
        onProgress: (p) => report('attribute', 'Attributing breaks', p.total ? p.done / p.total : 1, p.done, p.total),
      });
    });
    checkCancelled();
    const { checks, buckets, controlTotals } = checked!;
    const gate = qualityGate({
      checksPassed: checks.every((c) => c.passed),
      unknownRate: attribution.unknownRate,
      unknownRateLimit: req.definition.attribution.unknownRateLimit,
      rejected: { a: buckets.a.rejected, b: buckets.b.rejected },
    });

    const stats = matchPlan ? { withBreaks: await matchedWithDifference(conn), withinOnly: 0, withinTolerance: {} } : await readFieldStats(conn, resolved, wide);
    const counts = await runCounts(conn, buckets, stats);
    const breaks = await readBreakCounts(conn);
    const withinTolerance = { byField: stats.withinTolerance };
    const sample = await queryRows<{ side: string; file: string; line: string | null; column_name: string | null; raw_value: string | null; reason: string }>(
      conn,
      'SELECT side, file, line, column_name, raw_value, reason FROM rejects ORDER BY side, line LIMIT 20',
    );

    report('write', 'Writing results', 0);
    // A wide run's views get every field back for the record view and the reports.
    if (wide) await timed('wideViews', () => finishWideViews(conn, wide));
    if (stagedInMemory) await timed('keepRecords', () => keepBreakRecords(conn));
    await fingerprints;
    const summary: RunSummary = {
      runId,
      definition: req.definition.name,
      status: 'COMPLETED',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      database: dbPath,
      inputs: { a: loadedA.file, b: loadedB.file },
      counts,
      breaks,
      withinTolerance,
      columnsOnlyInA: resolved.columnsOnlyInA,
      columnsOnlyInB: resolved.columnsOnlyInB,
      rejects: {
        a: counts.rejectedA,
        b: counts.rejectedB,
        sample: sample.map((r) => ({ side: r.side, file: r.file, line: r.line === null ? null : Number(r.line), column: r.column_name, rawValue: r.raw_value, reason: r.reason })),
      },
      checks,
      checksPassed: checks.every((c) => c.passed),
      attribution,
      gate,
      controlTotals,
      // The loader's (skipped blank lines, …) and staging's (values rounded to a field's scale).
      warnings: { a: [...loadedA.warnings, ...stagedA.warnings, ...(asOf.warning ? [asOf.warning] : []), ...memoryWarnings], b: [...loadedB.warnings, ...stagedB.warnings] },
      lifecycle,
      ...(matching ? { matching } : {}),
      engine: req.cluster
        ? { name: 'clickhouse', nodes: req.cluster.nodes, clusterName: req.cluster.clusterName, database: req.cluster.database, normalizedOn: req.cluster.normalizeOnCluster ? 'cluster' : 'workstation' }
        : { name: 'duckdb' },
      timings,
    };
    await conn.run('CREATE OR REPLACE TABLE run_info AS SELECT $1::VARCHAR AS run_id, $2::JSON AS definition, $3::JSON AS summary', [
      runId,
      JSON.stringify(req.definition),
      JSON.stringify(summary),
    ]);
    if (req.outDir) {
      const t0 = performance.now();
      await writeRunOutputs(conn, req.outDir, { ...summary, timings: { ...timings, write: 0 } }, () => Math.round(performance.now() - t0));
      timings['write'] = Math.round(performance.now() - t0);
    }
    summary.timings = timings;
    await writeFile(join(runsDir, `${runId}.json`), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
    report('write', 'Done', 1);
    ok = true;
    return summary;
  } finally {
    for (const p of unloaded) p.release?.();
    // Its connection is closed before the database is.
    await earlyKeyHashes?.stop();
    predictConn?.closeSync();
    db.close();
    await rm(scratchDir, { recursive: true, force: true });
    if (!ok) {
      // A failed run leaves no half-written database behind.
      await rm(dbPath, { force: true });
      await rm(`${dbPath}.wal`, { force: true });
    }
  }
}







