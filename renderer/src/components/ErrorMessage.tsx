import type { ErrorData } from '../../../engine/contract/index.ts';
import { pathRefusal, pathRefusalText } from './path-refusal.ts';

/** What to do about the workflow's refusals, in the words of the person using the app. */
const HINTS: Partial<Record<ErrorData['code'], string>> = {
  FORBIDDEN_SELF_APPROVAL: 'The 4-eye rule: a proposal takes effect only when a different person with the approver role approves it.',
  FORBIDDEN_ROLE: 'Your roles do not allow this. An admin grants roles in Settings → Users & roles.',
  COMMENT_REQUIRED: 'Add a comment saying why.',
  REASON_REQUIRED: 'Pick a reason code.',
  REASON_UNKNOWN: 'Pick an active code from the catalogue (Settings → Reason codes).',
  ILLEGAL_TRANSITION: 'It changed since you opened it: refresh to see where it stands now.',
  LAST_ADMIN: 'Grant admin to someone else first.',
  STORE_BUSY: 'Another process is writing to the workspace. Try again in a moment.',
  MATCH_CONFLICT: 'Someone matched, unmatched or proposed a change to one of these rows meanwhile: refresh the lists and pick again.',
  NOT_A_MATCHING_RUN: 'This run joins its files on a key; matching applies to runs of a definition with a matching block.',
  AUDIT_CHAIN_BROKEN: 'The audit trail was changed outside the app. Keep this workspace as it is and tell your administrator.',
};

/** An engine error as people read it: the stable code, the message, where it happened, and what to do. */
export function ErrorMessage({ error, onRetry, onDismiss }: { error: ErrorData; onRetry?: () => void; onDismiss?: () => void }) {
  const refusal = pathRefusal(error);
  if (refusal) {
    // A typed path the desktop app refused: say which file and to use Browse…, not the engine's wording.
    const text = pathRefusalText(refusal);
    return (
      <div className="error-message path-refused" role="alert">
        <span className="error-text">{text.title}</span>
        {refusal.path !== '' && <span className="error-where mono">{refusal.path}</span>}
        <span className="error-hint">{text.hint}</span>
        {onDismiss && (
          <button type="button" className="link error-dismiss" onClick={onDismiss} aria-label="Dismiss">
            ✕
          </button>
        )}
      </div>
    );
  }
  const d = error.details ?? {};
  const where = [d['file'], d['line'] !== undefined ? `line ${String(d['line'])}` : undefined, d['column'] !== undefined ? `column "${String(d['column'])}"` : undefined]
    .filter((x) => x !== undefined)
    .join(', ');
  const hint = HINTS[error.code];
  return (
    <div className="error-message" role="alert">
      <span className="error-code">{error.code}</span>
      <span className="error-text">{error.message}</span>
      {where !== '' && !error.message.includes(String(d['file'])) && <span className="error-where">{where}</span>}
      {hint && <span className="error-hint">{hint}</span>}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          Retry
        </button>
      )}
      {onDismiss && (
        <button type="button" className="link error-dismiss" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}
