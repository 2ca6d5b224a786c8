import { count } from '../format.ts';

export interface Bar {
  label: string;
  value: number;
  tone?: 'bad' | 'warn' | 'ok' | 'neutral';
}

/** Horizontal bars in plain CSS: a picture of where the breaks are, readable at a glance. */
export function BarChart({ bars, title, onSelect }: { bars: Bar[]; title: string; onSelect?: (label: string) => void }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <figure className="bar-chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 && <p className="muted">None</p>}
      <ul>
        {bars.map((b) => (
          <li key={b.label}>
            <button type="button" className="bar-row" disabled={!onSelect} onClick={() => onSelect?.(b.label)} title={`${b.label}: ${count(b.value)}`}>
              <span className="bar-label">{b.label}</span>
              <span className="bar-track">
                <span className={`bar-fill tone-${b.tone ?? 'neutral'}`} style={{ width: `${(b.value / max) * 100}%` }} />
              </span>
              <span className="bar-value">{count(b.value)}</span>
            </button>
          </li>
        ))}
      </ul>
    </figure>
  );
}
