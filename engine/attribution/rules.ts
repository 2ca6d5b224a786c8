import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { ident, literal } from '../sql/quote.ts';

/**
 * Rules that hold on any domain, applied next to the model (attribute.ts).
 *
 * The forest learns from generated trades and synthetic shapes; on a pair it
 * never saw (risk measures, positions) it can be sure for the wrong reason. A
 * reason code has a defining property that can be checked on the values alone:
 *
 * - SIGN_FLIP: A = −B, the magnitudes equal within the field's tolerance (or
 *   within the rounding of the values when the field has none). This holds
 *   whatever the size of |B − A|, which is why the forest, trained on exact
 *   flips, misses flips with noise.
 * - FX_DIFF without an FX table: many breaks of one field whose B/A is the same
 *   within a group of records (a currency column, found from the records) are
 *   amounts converted at one rate; the rate is inferred and proposed.
 * - ROUNDING_DIFF: |B − A| at the scale of the last reported digit (one side
 *   rounded to fewer decimals, or a few units of the smallest digit shown); one
 *   side exactly the other rounded to the places it reports decides it.
 * - SCALE_DIFF: B/A a power of ten; FX_DIFF: B/A a known or inferred rate.
 *
 * A rule that holds decides the break (`reason`); a guess whose property does
 * not hold has its confidence capped (`violates_*`), so a high confidence
 * means the defining property was checked, not only that the trees agreed.
 */

/** The table this module writes: one row per numeric MISMATCH break. */
export const BREAK_RULES = '__break_rules';

/** Highest confidence a guess keeps when its defining property does not hold: below any useful threshold. */
export const GUARD_CAP = 0.5;

/** A field's tolerance as the definition holds it (exact decimal strings). */
export interface FieldTolerance {
  abs?: string | undefined;
  rel?: string | undefined;
}

export interface RuleOptions {
  breaksTable?: string;
  /** Tolerance per field name (`breaks.field`). */
  tolerances?: Readonly<Record<string, FieldTolerance>>;
  /** Ratios B/A a known FX table explains (fx-rates.ts fxRatios), so the FX inference leaves them to the table. */
  fxRatios?: readonly number[];
  /** Side A's records with `__rid` (the run's `a` view); absent → no grouping by record fields. */
  recordsA?: string;
  /** No rules and no guards: the model alone (for measuring what the rules add). */
  off?: boolean;
  /** Fewest breaks sharing one rate before the rate is trusted (default 5). */
  minGroup?: number;
}

/** An FX rate inferred from the breaks, to show and to propose for `attribution.fxRates`. */
export interface FxProposal {
  field: string;
  /** The record column the breaks were grouped by, or null when one rate holds for the whole field. */
  groupColumn: string | null;
  group: string | null;
  /** B/A, 6 significant digits. */
  rate: string;
  breaks: number;
}

/** Ratios within this relative distance of the group's rate share the rate (values rounded to cents keep ~1e-6). */
const RATE_TOLERANCE = 0.001;
/** Most candidate record columns tried as groups (bounded work on wide files). */
const MAX_GROUP_COLUMNS = 12;
/** Candidates the grouping is chosen on (a seeded sample when there are more). */
const CHOOSE_SAMPLE = 50_000;
/** A group column has at most this many distinct values among the breaks (currencies, books, desks). */
const MAX_GROUPS = 64;

/**
 * Decimal places a value reports. The diff writes a decimal at the field's
 * scale, so a side rounded to fewer places shows trailing zeros ("1234.5700"):
 * they are not reported digits. An integer's trailing zeros count as negative
 * places (1,250,000 → −4).
 */
const places = (v: string): string => {
  const t = `CASE WHEN strpos(${v}, '.') > 0 THEN rtrim(${v}, '0') ELSE ${v} END`;
  const i = `rtrim(${t}, '.')`;
  return `CASE WHEN strpos(${t}, '.') > 0 AND NOT ends_with(${t}, '.') THEN length(${t}) - strpos(${t}, '.')
               WHEN ltrim(${i}, '-+0') = '' THEN 0
               ELSE length(rtrim(${i}, '0')) - length(${i}) END`;
};

/** The definition's tolerances by field name, as the rules read them. */
export function fieldTolerances(fields: readonly { name: string; tolerance?: FieldTolerance | undefined }[]): Record<string, FieldTolerance> {
  const out: Record<string, FieldTolerance> = {};
  for (const f of fields) if (f.tolerance && (f.tolerance.abs !== undefined || f.tolerance.rel !== undefined)) out[f.name] = { abs: f.tolerance.abs, rel: f.tolerance.rel };
  return out;
}

/** Computes BREAK_RULES for the run's numeric MISMATCH breaks and returns the FX rates it inferred. */
export async function computeBreakRules(conn: DuckDBConnection, opts: RuleOptions = {}): Promise<FxProposal[]> {
  if (opts.off) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${BREAK_RULES} (break_id BIGINT, reason VARCHAR, confidence DOUBLE, text VARCHAR,
      violates_rounding BOOLEAN, violates_sign BOOLEAN, violates_scale BOOLEAN, violates_fx BOOLEAN, na DOUBLE, nb DOUBLE, unit DOUBLE)`);
    return [];
  }
  const breaks = opts.breaksTable ?? 'breaks';
  const minGroup = opts.minGroup ?? 5;
  const tol = Object.entries(opts.tolerances ?? {}).filter(([, t]) => t.abs !== undefined || t.rel !== undefined);
  const tolRel =
    tol.length === 0
      ? `(SELECT NULL::VARCHAR AS field, NULL::DOUBLE AS tabs, NULL::DOUBLE AS trel WHERE false)`
      : `(SELECT * FROM (VALUES ${tol.map(([f, t]) => `(${literal(f)}, ${t.abs === undefined ? 'NULL' : `${Number(t.abs)}`}::DOUBLE, ${t.rel === undefined ? 'NULL' : `${Number(t.rel)}`}::DOUBLE)`).join(', ')}) v(field, tabs, trel))`;
  const fx = opts.fxRatios ?? [];
  const fxd = fx.length === 0 ? 'NULL::DOUBLE' : `list_min(list_transform([${fx.map((r) => `${r}::DOUBLE`).join(', ')}], lambda r: abs(ln(abs(nb / na)) - ln(r))))`;
  // Guarded like `lr`: a zero on either side has no ratio (DuckDB's ln(0) is an error, not NULL).
  const fxdSql = fx.length === 0 ? fxd : `CASE WHEN na <> 0 AND nb <> 0 THEN ${fxd} END`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE __rule_base AS
    WITH s AS (
      SELECT b.break_id, b.field, b.rid_a, trim(b.value_a) AS va, trim(b.value_b) AS vb,
             TRY_CAST(b.value_a AS DOUBLE) AS na, TRY_CAST(b.value_b AS DOUBLE) AS nb, t.tabs, t.trel
        FROM ${ident(breaks)} b LEFT JOIN ${tolRel} t ON t.field = b.field
       WHERE b.diff_type = 'MISMATCH' AND b.field_type IN ('decimal', 'integer')
    ), p AS (
      SELECT *, ${places('va')} AS pa, ${places('vb')} AS pb, abs(nb - na) AS ad, greatest(abs(na), abs(nb)) AS mag
        FROM s WHERE na IS NOT NULL AND nb IS NOT NULL AND isfinite(na) AND isfinite(nb)
    ), q AS (
      SELECT *,
             -- Rounding: half a unit of the coarser side's last digit when it reports fewer places (decimal
             -- places, or an integer's trailing zeros with at least 3 significant digits: 6,000,000 says nothing
             -- of its precision), or a few units of the finer side's last digit.
             greatest(CASE WHEN least(pa, pb) < greatest(pa, pb)
                            AND (least(pa, pb) >= 0 OR floor(log10(greatest(abs(CASE WHEN pa < pb THEN na ELSE nb END), 1e-300))) + 1 + least(pa, pb) >= 3)
                           THEN 0.5 * power(10, -least(pa, pb)) ELSE 0 END,
                      9 * power(10, -greatest(pa, pb, 0))) * (1 + 1e-9) AS rnd
        FROM p
    )
    SELECT *,
           -- One side is exactly the other rounded to the fewer places it reports (as above).
           least(pa, pb) < greatest(pa, pb) AND ad > 0
             AND (least(pa, pb) >= 0 OR floor(log10(greatest(abs(CASE WHEN pa < pb THEN na ELSE nb END), 1e-300))) + 1 + least(pa, pb) >= 3)
             AND abs(round(CASE WHEN pa < pb THEN nb ELSE na END, least(pa, pb)::INTEGER) - CASE WHEN pa < pb THEN na ELSE nb END)
                 <= 1e-9 * greatest(mag, 1) AS rounded,
           -- The field's tolerance in amount, else the rounding of the values.
           greatest(coalesce(tabs, 0), coalesce(trel, 0) * mag, rnd) AS tol,
           greatest(coalesce(tabs, 0), coalesce(trel, 0) * mag) AS ftol,
           -- An integer's trailing zeros make a coarse side, never a coarse unit for the finer one.
           power(10, -greatest(pa, pb, 0)) AS unit,
           CASE WHEN na <> 0 AND nb <> 0 THEN ln(abs(nb / na)) END AS lr,
           ${fxdSql} AS fxd
      FROM q`);
  // Inferred FX: candidates are same-sign ratios away from 1, from a power of ten and from the FX table.
  await conn.run(`CREATE OR REPLACE TEMP TABLE __fx_cand AS
    SELECT break_id, field, rid_a, lr FROM __rule_base
     WHERE na * nb > 0 AND abs(lr) > 0.005 AND abs(lr / ln(10) - round(lr / ln(10))) > 0.0043 AND coalesce(fxd, 1) >= 0.005
       AND ad > tol`);
  // The grouping is chosen on a sample of the candidates (bounded work however many breaks a run has),
  // then applied once to all of them.
  const [{ total }] = (await queryRows<{ total: string }>(conn, 'SELECT count(*) AS total FROM __fx_cand')) as [{ total: string }];
  const candidates = Number(total);
  const sampled = candidates > CHOOSE_SAMPLE;
  if (sampled) await conn.run(`CREATE OR REPLACE TEMP TABLE __fx_pick AS SELECT * FROM __fx_cand USING SAMPLE reservoir(${CHOOSE_SAMPLE} ROWS) REPEATABLE (7)`);
  const pick = sampled ? '__fx_pick' : '__fx_cand';
  const pickMin = sampled ? Math.max(2, Math.ceil((minGroup * CHOOSE_SAMPLE) / candidates)) : minGroup;
  const columns = opts.recordsA && candidates > 0 ? await groupColumns(conn, opts.recordsA, pick) : [];
  const proposals: FxProposal[] = [];
  const grouped = (col: string | null, src: string, fields?: readonly string[]): string => {
    const g = col === null ? `''` : `CAST(r.${ident(col)} AS VARCHAR)`;
    const join = col === null ? '' : `LEFT JOIN ${opts.recordsA!} r ON r.__rid = c.rid_a`;
    const only = fields ? `WHERE c.field IN (${fields.map((f) => literal(f)).join(', ')})` : '';
    return `SELECT c.break_id, c.field, coalesce(${g}, '∅') AS gval, c.lr FROM ${src} c ${join} ${only}`;
  };
  /** Breaks whose B/A is their group's rate (`rates`: field, gval, mlr), in groups where that rate holds often enough. */
  const hits = (col: string | null, g: string, rates: string, min: number): string =>
    `WITH g AS (${g}),
          t AS (SELECT field, gval, count(*) AS total FROM g GROUP BY ALL),
          h AS (SELECT g.break_id, g.field, g.gval, q.mlr FROM g JOIN ${rates} q USING (field, gval) WHERE abs(g.lr - q.mlr) <= ${RATE_TOLERANCE}),
          k AS (SELECT field, gval, count(*) AS n FROM h GROUP BY ALL)
     SELECT h.break_id, h.field, ${col === null ? 'NULL::VARCHAR' : literal(col)} AS gcol, ${col === null ? 'NULL::VARCHAR' : 'h.gval'} AS gval, exp(h.mlr) AS rate, k.n
       FROM h JOIN k USING (field, gval) JOIN t USING (field, gval)
      -- One rate for most of the group's candidates, seen often enough not to be chance.
      WHERE k.n >= ${min} AND k.n >= 0.5 * t.total`;
  const medians = (g: string): string => `(SELECT field, gval, median(lr) AS mlr FROM (${g}) GROUP BY ALL)`;
  // Per field, the grouping that explains the most sampled breaks wins (ties: no grouping, then the first column).
  const best = new Map<string, { gcol: string | null; hits: number }>();
  for (const col of [null, ...columns]) {
    const g = grouped(col, pick);
    for (const r of await queryRows<{ field: string; n: string }>(conn, `SELECT field, count(*) AS n FROM (${hits(col, g, medians(g), pickMin)}) GROUP BY field`)) {
      if ((best.get(r.field)?.hits ?? -1) < Number(r.n)) best.set(r.field, { gcol: col, hits: Number(r.n) });
    }
  }
  // Each chosen grouping's rates from the sample, then every candidate checked against its group's rate.
  await conn.run(`CREATE OR REPLACE TEMP TABLE __fx_hit (break_id BIGINT, field VARCHAR, gcol VARCHAR, gval VARCHAR, rate DOUBLE, n BIGINT)`);
  for (const col of new Set([...best.values()].map((b) => b.gcol))) {
    const fields = [...best].filter(([, b]) => b.gcol === col).map(([f]) => f);
    await conn.run(`CREATE OR REPLACE TEMP TABLE __fx_rates AS SELECT * FROM ${medians(grouped(col, pick, fields))}`);
    await conn.run(`INSERT INTO __fx_hit ${hits(col, grouped(col, '__fx_cand', fields), '__fx_rates', minGroup)}`);
  }
  for (const r of await queryRows<{ field: string; gcol: string | null; gval: string | null; rate: number; n: string }>(
    conn,
    `SELECT field, gcol, gval, any_value(rate) AS rate, count(*) AS n FROM __fx_hit GROUP BY ALL ORDER BY field, n DESC, gval`,
  )) {
    proposals.push({ field: r.field, groupColumn: r.gcol, group: r.gval, rate: Number(r.rate.toPrecision(6)).toString(), breaks: Number(r.n) });
  }
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${BREAK_RULES} AS
    SELECT b.break_id,
           CASE WHEN b.na * b.nb < 0 AND abs(b.na + b.nb) <= b.tol AND b.mag > 2 * b.tol THEN 'SIGN_FLIP'
                WHEN h.break_id IS NOT NULL THEN 'FX_DIFF'
                WHEN b.rounded THEN 'ROUNDING_DIFF' END AS reason,
           CASE WHEN b.na * b.nb < 0 AND abs(b.na + b.nb) <= b.tol AND b.mag > 2 * b.tol THEN 0.99
                WHEN h.break_id IS NOT NULL THEN least(0.99, 1 - 0.5 / h.n)
                WHEN b.rounded THEN 0.97 END AS confidence,
           CASE WHEN b.na * b.nb < 0 AND abs(b.na + b.nb) <= b.tol AND b.mag > 2 * b.tol
                THEN 'A = −B within ' || CASE WHEN b.tabs IS NOT NULL OR b.trel IS NOT NULL THEN 'the field''s tolerance of ' || ${fmt('b.tol')}
                                             ELSE 'rounding (' || ${fmt('abs(b.na + b.nb)')} || ' apart)' END
                WHEN h.break_id IS NOT NULL
                THEN 'B/A = ' || ${fmt('h.rate', 4)} || ', the same as ' || (h.n - 1) || ' other ' || coalesce(h.gval || ' ', '') || 'breaks of ' || b.field
                WHEN b.rounded
                THEN 'one side rounded to ' || least(b.pa, b.pb) || ' decimal places: |B − A| = ' || b.ad || ' is within half its last digit' END AS text,
           -- Defining properties; a guess whose property fails is capped at GUARD_CAP.
           -- (a few units of the last digit beyond the field's tolerance is rounding at its edge).
           NOT (b.ad <= b.rnd OR b.ftol > 0 AND b.ad <= (b.ftol + 9 * b.unit) * (1 + 1e-9)) AS violates_rounding,
           NOT (b.na * b.nb < 0) AS violates_sign,
           NOT (coalesce(abs(b.lr / ln(10) - round(b.lr / ln(10))) < 0.0043 AND round(b.lr / ln(10)) <> 0, false)) AS violates_scale,
           NOT (coalesce(b.fxd < 0.005, false) OR h.break_id IS NOT NULL) AS violates_fx,
           b.na, b.nb, b.unit
      FROM __rule_base b LEFT JOIN __fx_hit h ON h.break_id = b.break_id
     -- In id order, so attribute.ts reads each batch's id range as a short range scan.
     ORDER BY b.break_id`);
  await conn.run('DROP TABLE IF EXISTS __fx_pick; DROP TABLE IF EXISTS __fx_cand; DROP TABLE IF EXISTS __fx_hit; DROP TABLE IF EXISTS __fx_rates; DROP TABLE IF EXISTS __rule_base');
  return proposals;
}

/** A number as people write it: thousands separators, at most `digits` decimals (digits ≥ 1). */
function fmt(x: string, digits = 2): string {
  // Trailing zeros dropped: "1,000", "1.0843".
  return `rtrim(rtrim(format('{:,.${digits}f}', ${x}), '0'), '.')`;
}

/** String columns of the records with few distinct values among the FX candidates: currencies, books, desks. */
async function groupColumns(conn: DuckDBConnection, records: string, candidates: string): Promise<string[]> {
  const cols = await queryRows<{ column_name: string; column_type: string }>(conn, `SELECT column_name, column_type FROM (DESCRIBE ${records})`);
  const names = cols.filter((c) => c.column_type === 'VARCHAR' && !c.column_name.startsWith('__')).map((c) => c.column_name).slice(0, MAX_GROUP_COLUMNS);
  if (names.length === 0) return [];
  const [row] = await queryRows<Record<string, string | number | bigint>>(
    conn,
    `SELECT count(*) AS __n, ${names.map((n, i) => `approx_count_distinct(r.${ident(n)}) AS c${i}`).join(', ')}
       FROM ${candidates} c JOIN ${records} r ON r.__rid = c.rid_a`,
  );
  if (!row || Number(row.__n) === 0) return [];
  return names.filter((_, i) => {
    const d = Number(row[`c${i}`]);
    return d >= 2 && d <= MAX_GROUPS && d < Number(row.__n);
  });
}

/**
 * The inferred rates as an `attribution.fxRates` proposal: pair "<group><quote>"
 * → rate, for groups that look like currency codes. The quote currency (what B
 * reports in) is not in the data; the user names it.
 */
export function fxRatesProposal(proposals: readonly FxProposal[], quote: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of proposals) {
    if (p.group === null || !/^[A-Z]{3}$/.test(p.group) || p.group === quote) continue;
    out[`${p.group}${quote}`] ??= p.rate;
  }
  return out;
}

/** One line per inferred rate: "amount: B/A = 1.0843 on 148 EUR breaks (grouped by currency)". */
export function formatFxProposals(proposals: readonly FxProposal[]): string[] {
  return proposals.map(
    (p) => `${p.field}: B/A = ${p.rate} on ${p.breaks.toLocaleString('en-US')} ${p.group ? `${p.group} ` : ''}breaks${p.groupColumn ? ` (grouped by ${p.groupColumn})` : ''}`,
  );
}
