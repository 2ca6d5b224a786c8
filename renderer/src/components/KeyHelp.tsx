const KEYS: [string, string][] = [
  ['?', 'Show or hide these keys'],
  ['Esc', 'Back / close'],
  ['n', 'New run (Runs)'],
  ['j / k, ↓ / ↑', 'Move through lists and the breaks grid'],
  ['Enter', 'Open the selected run, break or proposal'],
  ['v / b', 'Run overview / breaks grid'],
  ['/', 'Filter the breaks grid'],
  ['a', 'Accept the selected break (its suggested reason)'],
  ['o', 'Override: another reason, with a comment (needs an approver)'],
  ['r', 'Reject: a real problem to chase, with a comment'],
  ['u', 'Reopen a decided break (detail)'],
  ['Ctrl+Enter', 'Submit a decision or approval form'],
  ['[ / ]', 'Previous / next row of the breaks grid, in its filter and sort (detail)'],
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
