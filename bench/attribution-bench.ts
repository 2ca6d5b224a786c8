/**
 * Attribution on domains the model never trained on (issue 18): a risk-measures
 * pair and a positions pair (engine/attribution/testing/domains.ts), each with
 * the model alone (`rules: false`) and with the rules and guards of
 * engine/attribution/rules.ts, at threshold 0.9. Then the time to attribute
 * about a million risk breaks, rules off and on.
 *
 *   npm run bench:attribution [-- --records 20000 --seeds 9001,9002 --timing-records 800000 --reason-rules 20 --timing-only]
 *
 * The domains are generated, not trained on: the shipped baseline's recipe
 * (engine/training/baseline-recipe.ts) never reads these generators.
 */
import { parseArgs } from 'node:util';
import { openDuckDB, queryRows } from '../engine/duckdb/open.ts';
import { teamRules } from './team-rules.ts';
import { attributeBreaks } from '../engine/attribution/attribute.ts';
import { BASELINE_MODEL_PATH } from '../engine/attribution/model-store.ts';
import { ReasonModel } from '../engine/attribution/model.ts';
import { formatFxProposals } from '../engine/attribution/rules.ts';
import { evaluateDomain, positionsDomain, riskDomain, writeDomain, type Domain } from '../engine/attribution/testing/domains.ts';

const { values } = parseArgs({
  options: { records: { type: 'string' }, seeds: { type: 'string' }, 'timing-records': { type: 'string' }, 'reason-rules': { type: 'string' }, 'timing-only': { type: 'boolean' } },
  strict: true,
});
const records = Number(values.records ?? 20_000);
const seeds = (values.seeds ?? '9001,9002').split(',').map(Number);
const timingRecords = Number(values['timing-records'] ?? 800_000);
const THRESHOLD = 0.9;
const log = (s: string): void => void process.stdout.write(`${s}\n`);
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

const model = await ReasonModel.load(BASELINE_MODEL_PATH);
log(`model ${model.version}, threshold ${THRESHOLD}, ${records.toLocaleString('en-US')} records a domain, seeds ${seeds.join(', ')}`);
log('| domain | seed | breaks | model alone: auto | right | with rules: auto | right | calibration (auto-attributed, by confidence) |');
log('|---|---|---|---|---|---|---|---|');
for (const make of values['timing-only'] ? [] : [riskDomain, positionsDomain]) {
  for (const seed of seeds) {
    const d: Domain = make(seed, records);
    const figures = [];
    let calibration = '';
    for (const rules of [false, true]) {
      const db = await openDuckDB({ path: ':memory:' });
      try {
        const e = await evaluateDomain(db.connection, d, model, THRESHOLD, { rules });
        figures.push(pct(e.metrics.autoRate), pct(e.metrics.autoAccuracy));
        if (rules) {
          calibration = e.calibration.filter((c) => c.breaks > 0 && !c.band.startsWith('0.00')).map((c) => `${c.band}: ${pct(c.accuracy)} of ${c.breaks}`).join('; ');
          for (const line of formatFxProposals(e.attribution.fxProposals ?? [])) log(`<!-- ${d.name} ${seed}: ${line} -->`);
        }
      } finally {
        db.close();
      }
    }
    log(`| ${d.name} | ${seed} | ${d.breaks.length.toLocaleString('en-US')} | ${figures.join(' | ')} | ${calibration} |`);
  }
}

// Speed: the same breaks attributed with the built-in rules off and on, and on with the team's
// reason rules (issue 20, engine/rules) in force; median of 3, the variants interleaved so drift hits each alike.
const big = riskDomain(seeds[0]!, timingRecords);
const reasonRules = teamRules(Number(values['reason-rules'] ?? 20));
const db = await openDuckDB({ path: ':memory:' });
try {
  await writeDomain(db.connection, big);
  const variants = [
    { label: 'rules off', rules: false, reasonRules: [] },
    { label: 'rules on ', rules: true, reasonRules: [] },
    { label: `rules on + ${reasonRules.length} reason rules`, rules: true, reasonRules },
  ];
  const ms: number[][] = variants.map(() => []);
  let matched = 0;
  for (let i = 0; i < 3; i++) {
    for (const [v, variant] of variants.entries()) {
      const t0 = performance.now();
      await attributeBreaks(db.connection, { model, threshold: THRESHOLD, tolerances: big.tolerances, recordsA: 'a', rules: variant.rules, reasonRules: variant.reasonRules });
      ms[v]!.push(performance.now() - t0);
      if (variant.reasonRules.length > 0) matched = Number((await queryRows<{ n: string }>(db.connection, 'SELECT count(*) AS n FROM attributions WHERE rule_id IS NOT NULL'))[0]!.n);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[1]!;
  for (const [v, variant] of variants.entries()) log(`timing: ${big.breaks.length.toLocaleString('en-US')} breaks, ${variant.label}: ${(median(ms[v]!) / 1000).toFixed(2)} s (median of 3)`);
  log(`reason rules: ${matched.toLocaleString('en-US')} breaks taken by a rule; attribution with them / without: ${(median(ms[2]!) / median(ms[1]!)).toFixed(3)}×`);
} finally {
  db.close();
}
