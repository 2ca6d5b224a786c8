import { useEffect, useState } from 'react';
import type { MatchFilter, RunMatching, UnmatchedRow } from '../../../../engine/contract/index.ts';
import { useEvent } from '../../bridge/use-client.ts';
import { CandidatesPanel } from './CandidatesPanel.tsx';
import { GroupDetail } from './GroupDetail.tsx';
import { GroupsGrid } from './GroupsGrid.tsx';
import { ManualMatchBar } from './ManualMatchBar.tsx';
import { MatchFilters } from './MatchFilters.tsx';
import { UnmatchedGrid } from './UnmatchedGrid.tsx';
import { usePicks } from './use-picks.ts';
import './matching.css';

/**
 * A matching run's matching view: what is matched now (the rules' groups with
 * manual matches and unmatches applied), the unmatched rows of both sides
 * with their candidates, and manual match and unmatch under the 4-eye rule.
 * One set of filters applies to all three lists.
 */
export function MatchingView({ runId, matching }: { runId: string; matching: RunMatching }) {
  const [filter, setFilter] = useState<MatchFilter>({});
  const [refresh, setRefresh] = useState(0);
  const [group, setGroup] = useState<string | null>(null);
  const [focused, setFocused] = useState<UnmatchedRow | null>(null);
  const [notice, setNotice] = useState<string>();
  const picks = usePicks();
  const reload = (): void => setRefresh((n) => n + 1);
  // This user's changes, another user's approvals, another process's: the lists follow.
  useEvent('workflow.changed', (e) => (e.runId === null || e.runId === runId) && (e.what === 'decision' || e.what === 'approval') && reload());
  useEffect(() => {
    if (notice === undefined) return;
    const t = setTimeout(() => setNotice(undefined), 10_000);
    return () => clearTimeout(t);
  }, [notice]);
  const done = (text: string): void => {
    setNotice(text);
    reload();
  };
  const rules = matching.byRule.map((r) => r.rule);
  return (
    <div className="matching-view">
      <MatchFilters rules={rules} onChange={setFilter} />
      {notice && (
        <p className="notice ok" role="status">
          {notice}
        </p>
      )}
      <GroupsGrid runId={runId} filter={filter} refresh={refresh} onSelect={setGroup} />
      {group !== null && (
        <GroupDetail
          key={group}
          runId={runId}
          matchId={group}
          refresh={refresh}
          onDone={(text) => {
            setGroup(null);
            done(text);
          }}
        />
      )}
      <ManualMatchBar
        runId={runId}
        picked={picks.rows}
        onClear={picks.clear}
        onDone={(text) => {
          picks.clear();
          setFocused(null);
          done(text);
        }}
      />
      <div className="unmatched-pair">
        {(['a', 'b'] as const).map((side) => (
          <UnmatchedGrid key={side} runId={runId} side={side} filter={filter} refresh={refresh} picked={picks.keys} onToggle={picks.toggle} onFocus={setFocused} />
        ))}
      </div>
      {focused && <CandidatesPanel key={`${focused.side}:${focused.rid}`} runId={runId} row={focused} refresh={refresh} picked={picks.keys} onToggle={picks.toggle} />}
      <p className="hint">Click a group for its rows and Unmatch · tick rows on both sides to match them by hand · click an unmatched row for its candidates</p>
    </div>
  );
}
