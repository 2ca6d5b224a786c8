import { count, percent } from '../format.ts';

/** One line of a trend: counts on the left axis, or a share (0..1) on the right one. */
export interface TrendLine {
  key: string;
  label: string;
  /** A CSS colour class: tone-accent, tone-ok, tone-bad, tone-warn, tone-muted. */
  tone: 'accent' | 'ok' | 'bad' | 'warn' | 'muted';
  axis: 'count' | 'share';
}

export interface TrendPoint {
  label: string;
  /** Missing or null: no value at this point (the line skips it). */
  values: Record<string, number | null | undefined>;
}

const W = 760;
const H = 240;
const PAD = { left: 52, right: 52, top: 14, bottom: 34 };

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * Lines over runs in plain SVG (no chart library): counts against the left
 * axis, shares against the right one (dashed); every point has its value as
 * a tooltip, and the figure says in words what it draws.
 */
export function TrendChart({ title, lines, points }: { title: string; lines: TrendLine[]; points: TrendPoint[] }) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  // At least 5, so the ticks (fifths of 5, 10, 20, 50…) are whole numbers.
  const countMax = Math.max(5, niceMax(Math.max(0, ...points.flatMap((p) => lines.filter((l) => l.axis === 'count').map((l) => p.values[l.key] ?? 0)))));
  const shareMax = Math.min(1, niceMax(Math.max(0.01, ...points.flatMap((p) => lines.filter((l) => l.axis === 'share').map((l) => p.values[l.key] ?? 0)))));
  const hasShare = lines.some((l) => l.axis === 'share');
  const x = (i: number): number => PAD.left + (points.length <= 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
  const y = (v: number, axis: TrendLine['axis']): number => PAD.top + innerH - (v / (axis === 'count' ? countMax : shareMax)) * innerH;
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  // At most ~12 date labels under the axis; every point keeps its tooltip.
  const every = Math.max(1, Math.ceil(points.length / 12));
  const fmt = (l: TrendLine, v: number): string => (l.axis === 'share' ? percent(v, 1) : count(v));

  return (
    <figure className="trend-chart" data-testid="trend-chart" data-points={points.length}>
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${lines.map((l) => l.label).join(', ')} over ${points.length} run(s)`}>
        {ticks.map((t) => (
          <g key={t} className="trend-grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + innerH * (1 - t)} y2={PAD.top + innerH * (1 - t)} />
            <text x={PAD.left - 6} y={PAD.top + innerH * (1 - t) + 4} textAnchor="end">
              {count(Math.round(countMax * t))}
            </text>
            {hasShare && (
              <text x={W - PAD.right + 6} y={PAD.top + innerH * (1 - t) + 4} textAnchor="start">
                {percent(shareMax * t, shareMax <= 0.05 ? 1 : 0)}
              </text>
            )}
          </g>
        ))}
        {points.map((p, i) =>
          i % every === 0 || i === points.length - 1 ? (
            <text key={`x${i}`} className="trend-x" x={x(i)} y={H - PAD.bottom + 16} textAnchor="middle">
              {p.label}
            </text>
          ) : null,
        )}
        {lines.map((l) => {
          const path = points
            .map((p, i) => ({ v: p.values[l.key], i }))
            .filter((d): d is { v: number; i: number } => typeof d.v === 'number')
            .map((d, j) => `${j === 0 ? 'M' : 'L'}${x(d.i).toFixed(1)},${y(d.v, l.axis).toFixed(1)}`)
            .join(' ');
          return (
            <g key={l.key} className={`trend-line tone-${l.tone}${l.axis === 'share' ? ' trend-share' : ''}`} data-line={l.key}>
              <path d={path} />
              {points.map((p, i) => {
                const v = p.values[l.key];
                if (typeof v !== 'number') return null;
                return (
                  <circle key={i} cx={x(i)} cy={y(v, l.axis)} r={3.2}>
                    <title>{`${p.label} · ${l.label}: ${fmt(l, v)}`}</title>
                  </circle>
                );
              })}
            </g>
          );
        })}
      </svg>
      <ul className="trend-legend">
        {lines.map((l) => (
          <li key={l.key} className={`tone-${l.tone}${l.axis === 'share' ? ' trend-share' : ''}`}>
            <span className="trend-swatch" aria-hidden="true" />
            {l.label}
            {l.axis === 'share' ? ' (right axis)' : ''}
          </li>
        ))}
      </ul>
    </figure>
  );
}
