import './values.css';

/** The grid toolbar's value options: wrap long values (taller rows), and the optional B/A ratio column. */
export function ValueTools({ wrap, ratio, onWrap, onRatio }: { wrap: boolean; ratio: boolean; onWrap: (on: boolean) => void; onRatio: (on: boolean) => void }) {
  return (
    <span className="value-tools">
      <label className="check" title="Wrap Value A and Value B onto several lines (taller rows)">
        <input type="checkbox" checked={wrap} onChange={(e) => onWrap(e.target.checked)} /> Wrap values
      </label>
      <label className="check" title="B / A of number breaks, exact: a scale (×100) or an FX rate shows as a constant">
        <input type="checkbox" checked={ratio} onChange={(e) => onRatio(e.target.checked)} /> B/A ratio
      </label>
    </span>
  );
}
