/** A suggestion's confidence as a percentage pill: green when sure, amber when a person should look. */
export function Confidence({ value }: { value: number }) {
  const pct = Math.round(value * 100);
  const level = value >= 0.9 ? 'high' : value >= 0.6 ? 'medium' : 'low';
  return (
    <span className={`pill confidence confidence-${level}`} title={`Confidence ${pct}%`}>
      {pct}%
    </span>
  );
}
