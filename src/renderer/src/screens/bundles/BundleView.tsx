import type { ReactNode } from 'react';
import type { OpenedBundle, Verdict } from '../../../../contract';
import { AttemptTable } from '../../components/AttemptTable';
import { PatternList } from '../../components/PatternList';
import { ServerTable } from '../../components/ServerTable';
import { TextWithTimes, Time } from '../../components/Time';
import { TransportMatrix } from '../../components/TransportMatrix';
import { formatPercent } from '../../components/format';

function VerdictBlock({
  verdict,
  source,
  note,
  id,
}: {
  verdict: Verdict;
  source: ReactNode;
  note: string | null;
  id: string;
}) {
  return (
    <section
      className="card verdict-summary"
      aria-labelledby={id}
      data-testid="bundle-verdict"
      data-kind={verdict.kind}
    >
      <p className="verdict-meta">
        <span className="kind">{verdict.kind.replace(/-/g, ' ')}</span>
        <span>
          {source} · confidence {formatPercent(verdict.confidence)} · local {verdict.local} · cross-network{' '}
          {verdict.crossNetwork}
        </span>
      </p>
      <h2 id={id}>
        <TextWithTimes text={verdict.title} />
      </h2>
      <p>
        <TextWithTimes text={verdict.message} />
      </p>
      <p>
        <strong>What to do: </strong>
        {verdict.action}
      </p>
      {note && (
        <p className="hint" data-testid="bundle-verdict-note">
          <TextWithTimes text={note} />
        </p>
      )}
    </section>
  );
}

/** Where the bundle's one verdict comes from, with times in this machine's zone. */
function SourceOf({ bundle }: { bundle: OpenedBundle }) {
  const { history, lastReport } = bundle.verdict;
  if (bundle.answer?.from === 'history' && history)
    return (
      <>
        history from <Time iso={history.since} /> to <Time iso={history.until} />
      </>
    );
  if (bundle.answer?.from === 'newest-run' && lastReport)
    return (
      <>
        newest diagnosis in the bundle, <Time iso={lastReport.finishedAt} />
      </>
    );
  return <>verdict shown at export</>;
}

/** A bundle from someone else's machine, read-only and kept apart from this machine's history. */
export function BundleView({ bundle, onClose }: { bundle: OpenedBundle; onClose(): void }) {
  const m = bundle.manifest;
  // one verdict, chosen by the engine (core/bundle/answer.ts) as `inspect` chooses it
  const answer = bundle.answer;
  const patterns = [...bundle.patterns.lastReport, ...bundle.patterns.history].filter(
    (p, i, all) => all.findIndex((q) => q.kind === p.kind && q.summary === p.summary) === i,
  );
  const env = bundle.environment;
  const urls = new Map(bundle.targets.map((t) => [t.id, t.url]));
  return (
    <div className="bundle-view" data-testid="bundle-view">
      <div className="banner" role="note">
        <p>
          <strong>Viewing bundle {bundle.fileName}</strong> — read-only. Nothing in it is added to this
          machine's history.
        </p>
        <button type="button" className="small" onClick={onClose}>
          Close bundle
        </button>
      </div>
      <section className="card" aria-labelledby="bundle-facts">
        <h2 id="bundle-facts">About this bundle</h2>
        <dl className="facts">
          <dt>Created</dt>
          <dd>
            <Time iso={m.createdAt} /> by RTC Triage {m.appVersion}
          </dd>
          <dt>Covers</dt>
          <dd>
            since <Time iso={m.since} />: {m.counts.runs} runs, {m.counts.attempts} attempts,{' '}
            {m.counts.events} events
          </dd>
          <dt>Machine</dt>
          <dd>
            {m.os.type} {m.os.release} {m.os.arch} · Node {m.runtime.node}
            {m.runtime.electron ? ` · Electron ${m.runtime.electron}` : ''}
          </dd>
          <dt>Redacted</dt>
          <dd>{m.redacted ? 'yes (addresses and machine names replaced by tokens)' : 'no'}</dd>
          <dt>Network</dt>
          <dd>
            {env.vpnHints.length ? `VPN or tunnel: ${env.vpnHints.join(', ')}` : 'no VPN interface seen'}
            {Object.keys(env.proxies).length ? ` · proxy: ${Object.keys(env.proxies).join(', ')}` : ''}
          </dd>
        </dl>
      </section>
      {answer === null && <p className="empty">No verdict was stored in this bundle.</p>}
      {answer && (
        <VerdictBlock
          verdict={answer.verdict}
          source={<SourceOf bundle={bundle} />}
          note={answer.note}
          id="bundle-verdict"
        />
      )}
      <section className="card" aria-labelledby="bundle-patterns">
        <h2 id="bundle-patterns">Patterns</h2>
        <PatternList patterns={patterns} empty="No patterns in this bundle." />
      </section>
      <section className="card" aria-labelledby="bundle-targets">
        <h2 id="bundle-targets">Servers</h2>
        <ServerTable
          servers={bundle.targets}
          columns={['counts']}
          caption="The bundle's servers, their status and attempts"
          rowTestId="bundle-target"
        />
      </section>
      <TransportMatrix rows={bundle.matrix} />
      <section className="card" aria-labelledby="bundle-attempts">
        <h2 id="bundle-attempts">Attempts</h2>
        <p className="hint">
          {bundle.attempts.length < bundle.attemptsTotal
            ? `The newest ${bundle.attempts.length} of ${bundle.attemptsTotal} attempts.`
            : `${bundle.attemptsTotal} attempts.`}
        </p>
        <AttemptTable
          attempts={bundle.attempts}
          caption="The bundle's attempts, newest first"
          urlOf={(id) => urls.get(id)}
          browse
        />
      </section>
    </div>
  );
}
