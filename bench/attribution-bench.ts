/**
 * Attribution on domains the model never trained on (issue 18): a risk-measures
 * pair and a positions pair (engine/attribution/testing/domains.ts), each with
 * the model alone (`rules: false`) and with the rules and guards of
 * engine/attribution/rules.ts, at threshold 0.9. Then the time to attribute
 * about a million risk breaks, rules off and on.
 *
 *   npm run bench:attribution [-- --records 20000 --seeds 9001,9002 --timing-records 800000]
 *
 * The domains are generated, not trained on: the shipped baseline's recipe
 * (engine/training/baseline-recipe.ts) never reads these generators.
 */
import { parseArgs } from 'node:util';
import { openDuckDB } from '../engine/duckdb/open.ts';
import { attributeBreaks } from '../engine/attribution/attribute.ts';
import { BASELINE_MODEL_PATH } from '../engine/attribution/model-store.ts';
import { ReasonModel } from '../engine/attribution/model.ts';
import { formatFxProposals } from '../engine/attribution/rules.ts';
import { evaluateDomain, positionsDomain, riskDomain, writeDomain, type Domain } from '../engine/attribution/testing/domains.ts';

const { values } = parseArgs({
  options: { records: { type: 'string' }, seeds: { type: 'string' }, 'timing-records': { type: 'string' } },
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
for (const make of [riskDomain, positionsDomain]) {
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

// Speed: the same breaks attributed with the rules off and on (median of 3).
const big = riskDomain(seeds[0]!, timingRecords);
const db = await openDuckDB({ path: ':memory:' });
try {
  await writeDomain(db.connection, big);
  for (const rules of [false, true]) {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await attributeBreaks(db.connection, { model, threshold: THRESHOLD, tolerances: big.tolerances, recordsA: 'a', rules });
      ms.push(performance.now() - t0);
    }
    ms.sort((x, y) => x - y);
    log(`timing: ${big.breaks.length.toLocaleString('en-US')} breaks, rules ${rules ? 'on ' : 'off'}: ${(ms[1]! / 1000).toFixed(2)} s (median of 3)`);
  }
} finally {
  db.close();
}
