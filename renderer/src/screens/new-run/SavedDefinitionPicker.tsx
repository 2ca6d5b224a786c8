import { useState } from 'react';
import type { DefinitionInput, ErrorData } from '../../../../engine/contract/index.ts';
import { errorData } from '../../bridge/client.ts';
import { useCall, useClient } from '../../bridge/use-client.ts';
import { age } from '../../format.ts';

interface Props {
  onPick: (definition: DefinitionInput) => void;
  onError: (error: ErrorData) => void;
  /** Shown instead of the hint, e.g. when the screen started from a run. */
  note?: string;
}

/** "Start from a saved definition": the workspace's definitions, newest first; picking one fills the form with it. */
export function SavedDefinitionPicker({ onPick, onError, note }: Props) {
  const client = useClient();
  const list = useCall('definitions.list', {});
  const [name, setName] = useState('');
  const definitions = [...(list.data?.definitions ?? [])].sort((x, y) => (x.savedAt < y.savedAt ? 1 : -1));
  const pick = async (n: string): Promise<void> => {
    setName(n);
    if (n === '') return;
    try {
      const { definition } = await client.call('definitions.get', { name: n });
      onPick(definition);
    } catch (err) {
      onError(errorData(err));
    }
  };
  if (definitions.length === 0 && note === undefined) return null;
  return (
    <div className="panel saved-definitions row">
      {definitions.length > 0 && (
        <label>
          <span>Start from a saved definition</span>
          <select aria-label="Start from a saved definition" value={name} onChange={(e) => void pick(e.target.value)}>
            <option value="">(new: suggested from the two files)</option>
            {definitions.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name} · saved {age(d.savedAt)}
              </option>
            ))}
          </select>
        </label>
      )}
      <p className="muted small grow">{note ?? 'A saved definition is used as it is; give the two files and run. Suggest re-proposes it from the files.'}</p>
    </div>
  );
}
