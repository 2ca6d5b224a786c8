/**
 * The recon page: a series (the runs of one definition name in a workspace,
 * engine/series) over time. Its figures come from the runs registry's
 * summaries, the decided statuses in the workflow store and, for the overdue
 * breaks, each run's file.
 */
import { z } from 'zod';
import { defineCall } from './call.ts';
import { definitionNameSchema } from './definitions.ts';
import { RUN_STATUSES } from './runs.ts';

const count = z.number().int().nonnegative();

/** Runs series.get returns at most unless asked for more, newest kept. */
export const SERIES_RUNS_DEFAULT = 60;
/** The most runs series.get returns. */
export const SERIES_RUNS_MAX = 500;

/**
 * The series' latest completed run, by as-of date: its breaks are the ones open
 * now (a break stays open while a run still finds it).
 */
export const seriesLatestSchema = z.object({
  runId: z.string(),
  asOf: z.string().nullable(),
  /** Every break of that run. */
  open: count,
  /** The run's file is in this workspace, so its breaks can be opened (not a run made on another workstation, not deleted). */
  hasFile: z.boolean(),
});

export const seriesListItemSchema = z.object({
  /** The definition's name: the series. */
  name: z.string(),
  /** Registered runs of any status. */
  runs: count,
  completed: count,
  /** The run started last, of any status. */
  lastRun: z.object({ runId: z.string(), status: z.enum(RUN_STATUSES), startedAt: z.string(), asOf: z.string().nullable() }),
  latest: seriesLatestSchema.nullable(),
});
export type SeriesListItem = z.infer<typeof seriesListItemSchema>;

/** One run of a series, with its figures; a figure is null when the run has none (not completed, from before break memory, its file elsewhere). */
export const seriesRunSchema = z.object({
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** The run's business date (YYYY-MM-DD); null for a run from before break memory or not completed. */
  asOf: z.string().nullable(),
  previousRunId: z.string().nullable(),
  /** The device a run pulled from the team server was made on; null for this workspace's runs. */
  remoteDevice: z.string().nullable(),
  hasFile: z.boolean(),
  /** Every break the run found: all open on its as-of date. */
  open: count.nullable(),
  /** Of those, the breaks with a final decision now (ACCEPTED, OVERRIDDEN, REJECTED; carried decisions included). */
  decided: count.nullable(),
  /** Break memory against the previous run (summary.lifecycle); null for a run from before it. */
  new: count.nullable(),
  carried: count.nullable(),
  changed: count.nullable(),
  resolved: count.nullable(),
  /** Breaks older (in days) than the SLA of their reason now, as the run overview counts them; null without the run's file or break memory. */
  overdue: count.nullable(),
  /** Breaks left UNKNOWN by the model / all breaks. */
  unknownRate: z.number().nullable(),
});
export type SeriesRun = z.infer<typeof seriesRunSchema>;

export const seriesCalls = {
  'series.list': defineCall({
    summary: 'Every series in the workspace (the runs of one definition name), last run first: runs, the last run and the breaks open in the latest.',
    args: z.object({}).strict(),
    result: z.object({ series: z.array(seriesListItemSchema) }),
  }),
  'series.get': defineCall({
    summary: "A series' runs in order of as-of date (oldest first, the newest `limit`), each with its open, new, carried, changed, resolved, decided and overdue breaks and unknown rate.",
    args: z.object({ name: definitionNameSchema, limit: z.number().int().min(1).max(SERIES_RUNS_MAX).default(SERIES_RUNS_DEFAULT) }).strict(),
    result: z.object({
      name: z.string(),
      /** Runs of the series in all, of which `runs` holds the newest `limit`. */
      total: count,
      runs: z.array(seriesRunSchema),
      latest: seriesLatestSchema.nullable(),
    }),
  }),
};
