/**
 * Reason rules in a run (called by attribution/attribute.ts once the model has
 * scored every break): the rules in force, handed in by the host from the
 * workflow store, are compiled to SQL and run over the breaks. A matched break
 * takes the rule's reason with status AUTO and an explanation naming the rule;
 * what the model said is kept beside it (model_reason, model_confidence,
 * model_status), so the two can be compared (agreement.ts). The rules in force
 * are recorded in the run file (`reason_rules_in_force`) for exports and the
 * evidence pack. A break whose carried decision was kept keeps it: a person's
 * decision outranks a team rule.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { RUN_FILE_VERSION, RUN_TABLES } from '../run-file/schema.ts';
import { literal } from '../sql/quote.ts';
import { compileReasonRules, type CompilableRule } from './compile-sql.ts';
import { stableJson } from './schema.ts';

/** A rule as the run applies it (governance.ts ReasonRuleInForce: plain data, so it crosses to the worker). */
export interface RunReasonRule extends CompilableRule {
  ruleId: string;
  version: number;
  name: string;
  definition: string | null;
  order: number;
  conditionsSha256: string;
}

/** What applying the rules did. */
export interface ReasonRulesApplied {
  inForce: number;
  /** Breaks that took a rule's reason. */
  matched: number;
  /** Rules that could not apply to this run, with why (a record field the run does not have). */
  unusable: { ruleId: string; name: string; why: string }[];
}

const IN_FORCE_DDL = `CREATE OR REPLACE TABLE ${RUN_TABLES.reasonRulesInForce} (
  idx INTEGER NOT NULL, rule_id VARCHAR NOT NULL, version INTEGER NOT NULL, name VARCHAR NOT NULL, reason VARCHAR NOT NULL,
  definition VARCHAR, position INTEGER NOT NULL, conditions JSON NOT NULL, conditions_sha256 VARCHAR NOT NULL, matched BIGINT NOT NULL, unusable VARCHAR)`;

/** The attribution columns rules add (run-file version 2). */
const RULE_COLUMNS = ['rule_id VARCHAR', 'rule_name VARCHAR', 'rule_version INTEGER', 'model_reason VARCHAR', 'model_confidence DOUBLE', 'model_status VARCHAR'];

async function tableExists(conn: DuckDBConnection, name: string, temporary = false): Promise<boolean> {
  const rows = await queryRows<{ n: string }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = ${literal(name)} AND temporary = ${temporary}`);
  return Number(rows[0]?.n ?? 0) > 0;
}

/** The columns of a table or view of the run file. */
export async function relationColumns(conn: DuckDBConnection, name: string): Promise<Set<string>> {
  const rows = await queryRows<{ c: string }>(conn, `SELECT column_name AS c FROM duckdb_columns() WHERE table_name = ${literal(name)}`);
  return new Set(rows.map((r) => r.c));
}

/**
 * The breaks' history for rules in a run: break memory's lifecycle and age,
 * and the previous run's reason and decision when the run was linked
 * (series/link.ts's TEMP BREAK_HISTORY, `history`).
 */
async function runHistory(conn: DuckDBConnection, history: string | undefined): Promise<string | undefined> {
  if (!(await tableExists(conn, RUN_TABLES.breakMemory))) return undefined;
  if (history && (await tableExists(conn, history, true))) {
    return `SELECT m.break_id, m.lifecycle, m.age_runs, h.prev_reason, h.prev_decided FROM ${RUN_TABLES.breakMemory} m LEFT JOIN ${history} h ON h.break_id = m.break_id`;
  }
  return `SELECT break_id, lifecycle, age_runs, NULL::VARCHAR AS prev_reason, NULL::BOOLEAN AS prev_decided FROM ${RUN_TABLES.breakMemory}`;
}

/**
 * Applies the rules (in the order given) to the run's `attributions`. Always
 * records the rules in force and adds the rule columns (an empty list too:
 * the file says no rule was in force).
 */
export async function applyReasonRules(conn: DuckDBConnection, rules: readonly RunReasonRule[], opts: { history?: string } = {}): Promise<ReasonRulesApplied> {
  await conn.run(IN_FORCE_DDL);
  await conn.run(`CREATE OR REPLACE TABLE ${RUN_TABLES.runFileVersion} AS SELECT ${RUN_FILE_VERSION}::INTEGER AS version`);
  const have = await relationColumns(conn, RUN_TABLES.attributions);
  for (const col of RULE_COLUMNS) if (!have.has(col.split(' ')[0]!)) await conn.run(`ALTER TABLE ${RUN_TABLES.attributions} ADD COLUMN ${col}`);
  if (rules.length === 0) return { inForce: 0, matched: 0, unusable: [] };

  const compiled = compileReasonRules(rules, {
    columnsA: await relationColumns(conn, RUN_TABLES.a),
    columnsB: await relationColumns(conn, RUN_TABLES.b),
    ...((h) => (h ? { history: h } : {}))(await runHistory(conn, opts.history)),
  });
  await conn.run(`CREATE OR REPLACE TEMP TABLE __reason_rule_matches (break_id BIGINT, idx INTEGER)`);
  if (compiled.select) await conn.run(`INSERT INTO __reason_rule_matches ${compiled.select}`);
  // A kept carried decision stands (series/link.ts wrote its reason already).
  if (await tableExists(conn, RUN_TABLES.carriedDecisions)) {
    await conn.run(`DELETE FROM __reason_rule_matches WHERE break_id IN (SELECT break_id FROM ${RUN_TABLES.carriedDecisions} WHERE kept)`);
  }
  const counts = new Map(
    (await queryRows<{ idx: number; n: string }>(conn, `SELECT idx, count(*) AS n FROM __reason_rule_matches GROUP BY idx`)).map((r) => [Number(r.idx), Number(r.n)]),
  );
  const app = await conn.createAppender(RUN_TABLES.reasonRulesInForce);
  try {
    rules.forEach((r, i) => {
      app.appendInteger(i);
      app.appendVarchar(r.ruleId);
      app.appendInteger(r.version);
      app.appendVarchar(r.name);
      app.appendVarchar(r.reason);
      if (r.definition === null) app.appendNull();
      else app.appendVarchar(r.definition);
      app.appendInteger(r.order);
      app.appendVarchar(stableJson(r.conditions));
      app.appendVarchar(r.conditionsSha256);
      app.appendBigInt(BigInt(counts.get(i) ?? 0));
      const why = compiled.unusable[i];
      if (why === null || why === undefined) app.appendNull();
      else app.appendVarchar(why);
      app.endRow();
    });
  } finally {
    app.closeSync();
  }
  // The explanation is the same for every break of a rule: made once per rule, not per break.
  await conn.run(
    `UPDATE ${RUN_TABLES.attributions} t
        SET model_reason = coalesce(t.suggested_reason, t.reason), model_confidence = t.confidence, model_status = t.status,
            reason = r.reason, confidence = 1, status = 'AUTO', suggested_reason = NULL,
            rule_id = r.rule_id, rule_name = r.name, rule_version = r.version, top_features = r.explanation
       FROM __reason_rule_matches m
       JOIN (SELECT idx, rule_id, name, version, reason,
                    json_array(json_object('feature', 'reason_rule', 'value', 1, 'contribution', 1, 'pathShare', 0, 'rule_id', rule_id, 'rule_version', version,
                                           'text', 'Reason rule "' || name || '" (version ' || version || ') gives ' || reason)) AS explanation
               FROM ${RUN_TABLES.reasonRulesInForce}) r ON r.idx = m.idx
      WHERE t.break_id = m.break_id`,
  );
  await conn.run(`DROP TABLE __reason_rule_matches`);
  const matched = [...counts.values()].reduce((s, n) => s + n, 0);
  return {
    inForce: rules.length,
    matched,
    unusable: rules.flatMap((r, i) => (compiled.unusable[i] ? [{ ruleId: r.ruleId, name: r.name, why: compiled.unusable[i]! }] : [])),
  };
}

/** A rule in force as the run file recorded it. */
export interface RecordedRule {
  ruleId: string;
  version: number;
  name: string;
  reason: string;
  definition: string | null;
  order: number;
  conditionsSha256: string;
  matched: number;
  unusable: string | null;
}

/** The rules in force the run recorded, in order; [] for a run file from before reason rules. */
export async function readRulesInForce(conn: DuckDBConnection): Promise<RecordedRule[]> {
  if (!(await tableExists(conn, RUN_TABLES.reasonRulesInForce))) return [];
  const rows = await queryRows<{ rule_id: string; version: number; name: string; reason: string; definition: string | null; position: number; conditions_sha256: string; matched: bigint | string; unusable: string | null }>(
    conn,
    `SELECT rule_id, version, name, reason, definition, position, conditions_sha256, matched, unusable FROM ${RUN_TABLES.reasonRulesInForce} ORDER BY idx`,
  );
  return rows.map((r) => ({
    ruleId: r.rule_id,
    version: Number(r.version),
    name: r.name,
    reason: r.reason,
    definition: r.definition,
    order: Number(r.position),
    conditionsSha256: r.conditions_sha256,
    matched: Number(r.matched),
    unusable: r.unusable,
  }));
}
