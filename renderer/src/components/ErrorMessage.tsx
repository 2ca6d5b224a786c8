import type { ErrorData } from '../../../engine/contract/index.ts';

/** An engine error as people read it: the stable code, the message, where it happened. */
export function ErrorMessage({ error, onRetry }: { error: ErrorData; onRetry?: () => void }) {
  const d = error.details ?? {};
  const where = [d['file'], d['line'] !== undefined ? `line ${String(d['line'])}` : undefined, d['column'] !== undefined ? `column "${String(d['column'])}"` : undefined]
    .filter((x) => x !== undefined)
    .join(', ');
  return (
    <div className="error-message" role="alert">
      <span className="error-code">{error.code}</span>
      <span className="error-text">{error.message}</span>
      {where !== '' && !error.message.includes(String(d['file'])) && <span className="error-where">{where}</span>}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
