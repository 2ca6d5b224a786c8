import { parseArgs } from 'node:util';
import { redactUrl } from '../../ingest/http/http-connection.ts';
import { ReconError } from '../../errors/recon-error.ts';
import type { Definition } from '../../definition/schema.ts';
import { startRegisteredRun } from '../../host/registered-run.ts';
import type { Store } from '../../store/open.ts';
import { currentUser, type Identity } from '../../workflow/identity.ts';
import type { RunSummary } from '../../contract/index.ts';
import { loadDefinitionFileArg, loadSavedDefinition } from '../definition-arg.ts';
import { openWorkspaceStore } from '../open-store.ts';
import { createProgressPrinter } from '../progress-bar.ts';
import { onStopSignals, STOP_SIGNALS } from '../stop-signals.ts';
import { resolveWorkspace } from '../workspace.ts';
import { startWorker, type JobChannel } from '../../worker/client.ts';
import { parseAsOf } from '../../series/as-of-date.ts';
import { matchingSummaryLines } from '../../report/summary-text.ts';
import { parseClusterTarget, type ClusterTarget } from '../../clickhouse/cluster-target.ts';

export const RUN_USAGE = `recon run --a FILE --b FILE --definition DEF.json|NAME [--workspace DIR] [--out DIR] [--json] [--memory-limit 2GB]
          [--as-of YYYY-MM-DD] [--previous RUN|none] [--param NAME=VALUE]...
          [--engine duckdb|clickhouse --cluster URL[,URL...] [--cluster-name NAME] [--cluster-normalize]]

Reconciles source A against source B under a recon definition: a definition
file, or the name of one saved in the workspace (its latest version; a path
that is a file wins). Writes the run
database to <workspace>/runs/<run-id>.duckdb; with --out also summary.json and
breaks.csv (and matches.csv for a definition with a matching block). Exit code 0 on success, 2 on bad input. Ctrl-C (SIGINT), SIGTERM
or SIGHUP cancel the run: it is recorded FAILED (RUN_CANCELLED), its partial
files are removed, and the exit code is 128 + the signal's number (130, 143,
129); a second signal ends the process at once, leaving the clean-up to the
next recon command on the workspace.

Runs of the same definition (by its name) in a workspace form a series: each
run is linked to the series' last completed run, and every break is NEW,
CARRIED (open before, same values: its decision and reason carry over) or
CHANGED (open before, other values: its decision is dropped), with the run it
was first seen in and its age in runs and days. Breaks of the previous run
that are gone are listed in resolved.csv. --previous links to another run
(a rerun or a backfill), or to none. --as-of sets the run's business date
(default: the definition's asOfField, else today); ages in days count by it.

A side whose definition source is a database query ("kind": "query", a
connection saved with \`recon source add-connection\`) takes no --a/--b: its
rows are streamed from the database. --param sets a :NAME parameter of the
queries (e.g. --param asOf=2026-12-01), replacing the definition's value.
A login refused, a server unreachable, a query error, a timeout or a
connection lost mid-stream fails the run (exit 2) and keeps nothing of it.
So does an HTTP source ("kind": "http": a JSON or NDJSON API, paged): no
--a/--b; a refused token, 404, 5xx after retries, a timeout, invalid JSON or
a page without its records exits 2. See docs/SOURCES.md.

--engine clickhouse runs the diff on a ClickHouse cluster: --cluster names
the HTTP URL of one node per shard (http://USER@HOST:8123,http://HOST2:8123;
the user on the first), --cluster-name the cluster in their <remote_servers>
(default "recon"). The workstation reads and normalizes the inputs, loads the
compared rows into tables sharded by the key's hash, the cluster finds the
duplicate keys and joins the sides shard by shard, and only the differing
pairs come back into the run file, which is a normal one. With
--cluster-normalize the nodes normalize the raw text themselves, with the
ClickHouse spelling of the same normalization, and their rejects, counts and
sums must equal the local staging's (slower; what ClickHouse 18.16 cannot
normalize as DuckDB does is refused). The password comes
from $RECON_CLUSTER_PASSWORD or the OS keychain (\`recon cluster
set-password URL\`). An unreachable node, a refused login or a failed
statement exits 2 and keeps nothing. See docs/SCALE.md.`;

/** `recon run`: one reconciliation, on a worker thread, with a progress bar. */
/**
 * `recon run`. `early` is a worker the CLI started before loading this module
 * (cli/main.ts); the command owns it, and ends it on every path that does not run.
 */
export async function runCommand(argv: string[], early?: JobChannel): Promise<number> {
  try {
    return await runWithWorker(argv, early);
  } finally {
    // Ended before the run took it (bad arguments, a missing definition): its thread must not keep the process alive.
    if (early && !early.used) await early.terminate();
  }
}

async function runWithWorker(argv: string[], early: JobChannel | undefined): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      definition: { type: 'string' },
      workspace: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'memory-limit': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'as-of': { type: 'string' },
      previous: { type: 'string' },
      param: { type: 'string', multiple: true },
      engine: { type: 'string' },
      cluster: { type: 'string' },
      'cluster-name': { type: 'string' },
      'cluster-normalize': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.definition) {
    process.stderr.write(`missing --definition\n\n${RUN_USAGE}\n`);
    return 2;
  }
  const params = parseParams(values.param ?? []);
  const cluster = clusterOption(values.engine, values.cluster, values['cluster-name'], values['cluster-normalize']);
  const asOf = values['as-of'] === undefined ? undefined : parseAsOf(values['as-of']);
  // The worker loads the engine while this thread reads the definition and opens the store.
  const worker = early ?? startWorker('run');
  let store: Store;
  let definition: Definition | null;
  let workspace: string;
  let actor: Identity;
  try {
    // A definition file; else the name of a definition saved in the workspace, read once the store is open.
    definition = await loadDefinitionFileArg(values.definition);
    workspace = resolveWorkspace(values.workspace);
    actor = currentUser();
    // Runs a killed `recon run` left RUNNING are marked FAILED and their files removed first.
    store = openWorkspaceStore(workspace, actor);
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  let definitionVersion: number | undefined;
  if (definition === null) {
    try {
      ({ definition, version: definitionVersion } = loadSavedDefinition(store, values.definition));
    } catch (err) {
      store.close();
      await worker.terminate();
      throw err;
    }
  }
  // A query source takes no file: its label stands where the path goes (summary, registry).
  let paths: { a: string; b: string };
  try {
    paths = inputPaths(definition, values.a, values.b);
    checkParamsUsed(definition, params);
  } catch (err) {
    store.close();
    await worker.terminate();
    throw err;
  }
  const progress = values.quiet ? undefined : createProgressPrinter();
  const handle = startRegisteredRun(
    store,
    actor,
    {
      aPath: paths.a,
      bPath: paths.b,
      definition,
      ...(Object.keys(params).length > 0 ? { params } : {}),
      workspace,
      ...(values.out ? { outDir: values.out } : {}),
      ...(values['memory-limit'] ? { memoryLimit: values['memory-limit'] } : {}),
      ...(cluster ? { cluster } : {}),
      ...(asOf ? { asOf } : {}),
      ...(definitionVersion !== undefined ? { definitionVersion } : {}),
      ...(values.previous !== undefined ? { previousRunId: values.previous === 'none' ? null : values.previous } : {}),
    },
    progress ? (e) => progress.update(e) : undefined,
    worker,
  );
  // A stop signal takes the path of the app's Cancel: the worker stops and
  // deletes the run file, its WAL and scratch folder; the registry records
  // the run FAILED (RUN_CANCELLED, audited). Only then does the process exit.
  const signals = onStopSignals(
    (signal) => {
      progress?.done(); // and draws no more
      process.stderr.write(`recon: ${signal}: cancelling run ${handle.runId} and removing its partial files…\n`);
      handle.cancel();
    },
    (signal) => {
      process.stderr.write(`recon: ${signal} again: stopping now; the next recon command on this workspace marks run ${handle.runId} FAILED and removes its files\n`);
    },
  );
  try {
    const summary = await handle.result;
    progress?.done();
    process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    // Also when a stop signal came too late to cancel it: the run is complete, kept and reported as such.
    return 0;
  } catch (err) {
    const signal = signals.received;
    if (signal === undefined || !(err instanceof ReconError && err.code === 'RUN_CANCELLED')) throw err;
    process.stderr.write(`recon: run ${handle.runId} cancelled (${signal}), recorded FAILED; its partial files are removed\n`);
    return STOP_SIGNALS[signal];
  } finally {
    signals.dispose();
    progress?.done();
    store.close();
  }
}

/** `--engine clickhouse --cluster URL`: the cluster the diff runs on; the local engine (the default) takes neither. */
function clusterOption(engine: string | undefined, cluster: string | undefined, name: string | undefined, normalize: boolean | undefined): ClusterTarget | undefined {
  if (engine === undefined || engine === 'duckdb') {
    if (cluster !== undefined || name !== undefined || normalize) throw new ReconError('INVALID_ARGUMENT', '--cluster, --cluster-name and --cluster-normalize go with --engine clickhouse');
    return undefined;
  }
  if (engine !== 'clickhouse') throw new ReconError('INVALID_ARGUMENT', `--engine ${engine}: expected duckdb (the default) or clickhouse`);
  if (cluster === undefined) throw new ReconError('INVALID_ARGUMENT', '--engine clickhouse needs --cluster URL[,URL...] (the HTTP URL of one node per shard)');
  return { ...parseClusterTarget(cluster, name), ...(normalize ? { normalizeOnCluster: true } : {}) };
}

/** `--param name=value`, repeated: the values of query sources' :name parameters (always text; the database casts them). */
function parseParams(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a);
    if (!m) throw new ReconError('INVALID_ARGUMENT', `--param ${a}: expected NAME=VALUE, e.g. --param asOf=2026-12-01`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** A --param no query source uses is a typo, not a value to ignore. */
function checkParamsUsed(definition: Definition, params: Record<string, string>): void {
  const sqls = (['a', 'b'] as const).map((s) => definition.sources[s]).filter((s) => s.kind === 'query').map((s) => s.sql ?? '');
  for (const name of Object.keys(params)) {
    if (!sqls.some((sql) => new RegExp(`:${name}\\b`).test(sql))) {
      throw new ReconError('INVALID_ARGUMENT', sqls.length === 0 ? `--param ${name}: the definition has no query source` : `--param ${name}: no query of the definition uses :${name}`);
    }
  }
}

/** Each side's input: the file given, or a query source's label; a side given both, or neither, is an error. */
function inputPaths(definition: Definition, a: string | undefined, b: string | undefined): { a: string; b: string } {
  const pick = (side: 'a' | 'b', given: string | undefined): string => {
    const src = definition.sources[side];
    if (src.kind === 'query') {
      if (given !== undefined) {
        throw new ReconError('INVALID_ARGUMENT', `source ${side.toUpperCase()} is a query on connection "${src.connection}" in the definition; leave out --${side}`);
      }
      return `query:${src.connection}`;
    }
    if (src.kind === 'http') {
      const label = src.connection !== undefined ? `http:${src.connection}` : `http:${redactUrl(src.url!)}`;
      if (given !== undefined) throw new ReconError('INVALID_ARGUMENT', `source ${side.toUpperCase()} is an HTTP source (${label}) in the definition; leave out --${side}`);
      return label;
    }
    if (given === undefined || given === '') throw new ReconError('INVALID_ARGUMENT', `missing --${side}: source ${side.toUpperCase()} is a file (or make it a query source in the definition)`);
    return given;
  };
  return { a: pick('a', a), b: pick('b', b) };
}

const n = (v: number): string => v.toLocaleString('en-US');

/** A file's path, or a query source's connection and where it points. */
function inputLabel(input: RunSummary['inputs']['a']): string {
  const h = input.http;
  if (h) return `${input.path} (${h.url}, ${n(h.pages)} page${h.pages === 1 ? '' : 's'}, rows sha256 ${input.sha256.slice(0, 16)}…)`;
  const q = input.query;
  if (!q) return input.path;
  const c = q.connection;
  return `${input.path} (${c.driver}://${c.user}@${c.host}:${c.port}/${c.database}, rows sha256 ${input.sha256.slice(0, 16)}…)`;
}

/** A short, readable summary for a terminal. */
export function formatSummary(s: RunSummary): string {
  const c = s.counts;
  const lines = [
    `Run ${s.runId} — ${s.definition}`,
    `  A: ${inputLabel(s.inputs.a)} (${n(c.a)} rows, ${n(c.rejectedA)} rejected)`,
    `  B: ${inputLabel(s.inputs.b)} (${n(c.b)} rows, ${n(c.rejectedB)} rejected)`,
    ...(s.matching ? matchingSummaryLines(s.matching) : [
      `  matched ${n(c.matched)} (exact ${n(c.matchedExact)}, within tolerance ${n(c.matchedWithinTolerance)}, with breaks ${n(c.matchedWithBreaks)})`,
      `  missing in A ${n(c.missingInA)}, missing in B ${n(c.missingInB)}, duplicate keys A ${n(c.duplicateKeysA)} / B ${n(c.duplicateKeysB)}`,
    ]),
    `  breaks: ${n(s.breaks.total)}`,
    s.lifecycle.previousRunId === null
      ? `    as of ${s.lifecycle.asOf}; first run of its series: every break is new`
      : `    as of ${s.lifecycle.asOf}, against run ${s.lifecycle.previousRunId}: new ${n(s.lifecycle.new)}, carried ${n(s.lifecycle.carried)}, changed ${n(s.lifecycle.changed)}, resolved ${n(s.lifecycle.resolved)}` +
        (s.lifecycle.decisionsCarried + s.lifecycle.decisionsDropped > 0
          ? `; decisions carried ${n(s.lifecycle.decisionsCarried)}, dropped ${n(s.lifecycle.decisionsDropped)} (values changed)`
          : ''),
    ...Object.entries(s.breaks.byType).map(([k, v]) => `    ${k.padEnd(14)} ${n(v)}`),
    `  by field: ${Object.entries(s.breaks.byField)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ')}`,
    `  checks: ${s.checks.filter((x) => x.passed).length}/${s.checks.length} passed${s.checksPassed ? '' : ' — FAILED:'}`,
    ...s.checks.filter((x) => !x.passed).map((x) => `    ✗ ${x.name}: ${x.message}`),
    `  attribution (model ${s.attribution.modelVersion}): ${n(s.attribution.byStatus.AUTO ?? 0)} auto, ${n(s.attribution.byStatus.REVIEW ?? 0)} to review, unknown rate ${(s.attribution.unknownRate * 100).toFixed(2)}%`,
    `    ${Object.entries(s.attribution.byReason)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ')}`,
    `  quality gate: ${s.gate.passed ? 'PASSED' : `FAILED (${s.gate.reasons.join('; ')})`}`,
    ...(s.gate.warnings ?? []).map((w) => `    ! ${w}`),
    ...[...s.warnings.a.map((w) => `  warning (A): ${w}`), ...s.warnings.b.map((w) => `  warning (B): ${w}`)],
    ...(s.rejects.sample.length > 0
      ? ['  first rejected rows:', ...s.rejects.sample.slice(0, 5).map((r) => `    ${r.file}, line ${r.line ?? '?'}${r.column ? `, column "${r.column}"` : ''}: ${r.reason}`)]
      : []),
    `  database: ${s.database}`,
    `  time: ${Object.entries(s.timings)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', ')}`,
  ];
  return `${lines.join('\n')}\n`;
}
