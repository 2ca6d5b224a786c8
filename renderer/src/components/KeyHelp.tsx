const KEYS: [string, string][] = [
  ['?', 'Show or hide these keys'],
  ['Esc', 'Back / close'],
  ['n', 'New run (Runs)'],
  ['j / k, ↓ / ↑', 'Move through lists and the breaks grid'],
  ['Enter', 'Open the selected run or break'],
  ['o / b', 'Run overview / breaks grid'],
  ['/', 'Filter the breaks grid'],
  ['[ / ]', 'Previous / next break (detail)'],
];

/** The `?` overlay. */
export function KeyHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="keys-title" onClick={onClose}>
      <div className="overlay-panel" onClick={(e) => e.stopPropagation()}>
        <h2 id="keys-title">Keyboard</h2>
        <table className="keys">
          <tbody>
            {KEYS.map(([k, what]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
