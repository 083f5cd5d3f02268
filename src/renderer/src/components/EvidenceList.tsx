import { useId, useState } from 'react';
import type { Evidence } from '../../../contract';
import { TextWithTimes } from './Time';
import { groupEvidence, type EvidenceGroup } from './evidence-groups';

function EvidenceLine({ group }: { group: EvidenceGroup }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <li data-testid="evidence-group" data-count={group.count}>
      <button
        type="button"
        className="link-button evidence-toggle"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((shown) => !shown)}
      >
        <span className="mono url">{group.label}</span> — {group.count} {group.count === 1 ? 'item' : 'items'}
        {group.tally ? `: ${group.tally}` : ''}
      </button>
      <ul id={id} className="evidence" hidden={!open} data-testid="evidence-sentences">
        {group.sentences.map((sentence, index) => (
          <li key={index}>
            <TextWithTimes text={sentence} />
          </li>
        ))}
      </ul>
    </li>
  );
}

/** The verdict's evidence folded: one line per server or cause with a count, its sentences on demand. */
export function EvidenceList({
  evidence,
  urlOf,
}: {
  evidence: readonly Evidence[];
  urlOf?: (targetId: string) => string | undefined;
}) {
  return (
    <ul className="evidence-groups" data-testid="evidence-list">
      {groupEvidence(evidence, urlOf).map((group) => (
        <EvidenceLine key={group.key} group={group} />
      ))}
    </ul>
  );
}
