import type { FxRateRow } from './draft.ts';

/**
 * Known FX rates for attribution (the definition's attribution.fxRates): amounts
 * converted at one of these rates are recognised as FX differences.
 */
export function FxRatesEditor({ rates, onChange }: { rates: FxRateRow[]; onChange: (rates: FxRateRow[]) => void }) {
  const set = (i: number, part: Partial<FxRateRow>): void => onChange(rates.map((r, j) => (j === i ? { ...r, ...part } : r)));
  return (
    <div className="panel fx-rates">
      <p className="muted small">Amounts on one side converted at a known rate are attributed as FX differences. Give each rate as a currency pair (EURUSD = USD per 1 EUR) and a decimal.</p>
      {rates.length > 0 && (
        <table className="data compact" aria-label="FX rates">
          <thead>
            <tr>
              <th>Pair</th>
              <th>Rate</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rates.map((r, i) => (
              <tr key={i}>
                <td>
                  <input type="text" aria-label={`FX pair ${i + 1}`} value={r.pair} placeholder="EURUSD" spellCheck={false} onChange={(e) => set(i, { pair: e.target.value.toUpperCase() })} />
                </td>
                <td>
                  <input type="text" aria-label={`FX rate ${i + 1}`} value={r.rate} placeholder="1.0850" inputMode="decimal" onChange={(e) => set(i, { rate: e.target.value })} />
                </td>
                <td>
                  <button type="button" className="link" aria-label={`Remove FX rate ${i + 1}`} onClick={() => onChange(rates.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" onClick={() => onChange([...rates, { pair: '', rate: '' }])}>
        Add FX rate
      </button>
    </div>
  );
}
