import { useId, useState, type Ref } from 'react';
import type { PathResult, Report, VerdictKind } from '../../../contract';
import { AttemptTable } from './AttemptTable';
import { EvidenceList } from './EvidenceList';
import { formatPercent, formatTime } from './format';

const KIND_LABEL: Record<VerdictKind, string> = {
  healthy: 'healthy',
  'app-suspect': 'app suspect',
  'infrastructure-outage': 'infrastructure outage',
  'partial-outage': 'partial outage',
  'network-restricted': 'network restricted',
  'local-environment': 'local environment',
  offline: 'offline',
  inconclusive: 'inconclusive',
};

function tone(kind: VerdictKind): 'good' | 'warn' | 'bad' | 'neutral' {
  if (kind === 'healthy') return 'good';
  if (kind === 'inconclusive') return 'neutral';
  if (kind === 'partial-outage' || kind === 'app-suspect' || kind === 'network-restricted') return 'warn';
  return 'bad';
}

function PathChip({ label, result }: { label: string; result: PathResult }) {
  return (
    <span className={`chip path-${result}`}>
      {label}: <strong>{result}</strong>
    </span>
  );
}

interface Props {
  report: Report;
  fromHistory: boolean;
  ref?: Ref<HTMLElement>;
  /** "Try again": runs the diagnosis again; absent where there is nothing to rerun (a bundle). */
  onRetry?: () => void;
  retryDisabled?: boolean;
}

/** The answer: what is wrong, how sure, what to do, and the evidence behind it. */
export function VerdictCard({ report, fromHistory, ref, onRetry, retryDisabled }: Props) {
  const { verdict } = report;
  const [showDetails, setShowDetails] = useState(false);
  const detailsId = useId();
  return (
    <section
      ref={ref}
      tabIndex={-1}
      className={`verdict tone-${tone(verdict.kind)}`}
      aria-labelledby="verdict-title"
      data-testid="verdict-card"
      data-kind={verdict.kind}
    >
      <p className="verdict-meta">
        <span className="kind" data-testid="verdict-kind">
          {KIND_LABEL[verdict.kind]}
        </span>
        <span>
          {fromHistory ? 'Last diagnosis' : 'Diagnosis'} · {formatTime(report.finishedAt)}
        </span>
      </p>
      <h2 id="verdict-title">{verdict.title}</h2>
      <p className="verdict-message">{verdict.message}</p>
      <p className="verdict-action">
        <strong>What to do: </strong>
        {verdict.action}
      </p>
      <div className="chips">
        <PathChip label="Local" result={verdict.local} />
        <PathChip label="Cross-network" result={verdict.crossNetwork} />
        <span className="chip">
          Confidence: <strong>{formatPercent(verdict.confidence)}</strong>
        </span>
      </div>
      {verdict.evidence.length > 0 && (
        <>
          <h3>Evidence</h3>
          <EvidenceList
            evidence={verdict.evidence}
            urlOf={(id) => report.targets.find((t) => t.id === id)?.url}
          />
        </>
      )}
      <div className="verdict-buttons">
        {onRetry && (
          <button type="button" className="secondary" onClick={onRetry} disabled={retryDisabled}>
            Try again
          </button>
        )}
        <button
          type="button"
          className="link-button"
          aria-expanded={showDetails}
          aria-controls={detailsId}
          onClick={() => setShowDetails((shown) => !shown)}
        >
          {showDetails ? 'Hide technical details' : 'Show technical details'}
        </button>
      </div>
      <div id={detailsId} hidden={!showDetails}>
        {showDetails && <AttemptTable report={report} />}
      </div>
    </section>
  );
}
