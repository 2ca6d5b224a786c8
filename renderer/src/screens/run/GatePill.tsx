import { useState } from 'react';
import type { CallResult } from '../../../../engine/contract/index.ts';
import { useEscape } from '../../keys.ts';
import { percent } from '../../format.ts';

type Run = CallResult<'runs.get'>;

/** Why the gate passed or failed, one line per reason: the failed checks with their messages, the unknown rate against its limit. */
export function gateReasons(run: Run): { failed: string[]; passed: string[] } {
  const { gate } = run;
  const failed: string[] = [];
  const passed: string[] = [];
  const badChecks = run.summary.checks.filter((c) => !c.passed);
  for (const c of badChecks) failed.push(`Integrity check ${c.name} (${c.side.toUpperCase()}) failed: ${c.message}`);
  if (badChecks.length === 0 && !gate.checksPassed) failed.push('An integrity check failed.');
  if (badChecks.length === 0 && gate.checksPassed) passed.push(`All ${run.summary.checks.length} integrity checks passed.`);
  const rate = gate.unknownRate;
  const limit = percent(gate.unknownRateLimit, 0);
  if (rate === null) passed.push(`No attribution yet: the unknown rate (limit ${limit}) is not checked.`);
  else if (rate > gate.unknownRateLimit) failed.push(`Unknown rate ${percent(rate, 2)} is above the limit of ${limit}: too many breaks no known reason explains.`);
  else passed.push(`Unknown rate ${percent(rate, 2)} is within the limit of ${limit}.`);
  return { failed, passed };
}

/** The quality gate's PASS/FAIL pill; its tooltip and a click say why, check by check. */
export function GatePill({ run }: { run: Run }) {
  const [open, setOpen] = useState(false);
  useEscape(() => setOpen(false), open);
  const { failed, passed } = gateReasons(run);
  const ok = run.gate.passed;
  const title = ok ? 'Why the quality gate passed' : 'Why the quality gate failed';
  return (
    <div className="gate-menu">
      <button
        type="button"
        className={`pill big ${ok ? 'gate-pass' : 'gate-fail'}`}
        aria-expanded={open}
        aria-controls="gate-why"
        title={[...failed, ...passed].join('\n')}
        onClick={() => setOpen((o) => !o)}
      >
        Quality gate {ok ? 'PASS' : 'FAIL'} ▾
      </button>
      {open && (
        <div id="gate-why" className="panel gate-panel" role="region" aria-label={title}>
          <h4>{title}</h4>
          {failed.length > 0 && (
            <ul className="gate-failed">
              {failed.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
          {passed.length > 0 && (
            <ul className="gate-passed">
              {passed.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
          <p className="muted small">A run passes when every integrity check passes and the share of breaks left UNKNOWN is at most the definition&apos;s limit.</p>
        </div>
      )}
    </div>
  );
}
