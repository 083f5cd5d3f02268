import { useState } from 'react';
import type { Call, CallReproduction, TriageApi } from '../../../../contract';
import { describeError } from '../../api/call-failure';
import { formatTime } from '../../components/format';
import { PeerConnectionView } from './PeerConnectionView';
import { ReproductionView } from './ReproductionView';

const isTurn = (url: string) => /^turns?:/i.test(url);

/** One imported call: its observations, each connection, and the reproduction on demand. */
export function CallView({ api, call, onClose }: { api: TriageApi; call: Call; onClose(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<CallReproduction | null>(null);
  const turnUrls = [
    ...new Set(call.peerConnections.flatMap((pc) => pc.iceServers.flatMap((s) => s.urls)).filter(isTurn)),
  ];
  const [typed, setTyped] = useState<Record<string, { username: string; credential: string }>>({});

  const reproduce = async () => {
    setBusy(true);
    setError(null);
    try {
      const credentials = Object.entries(typed)
        .filter(([, c]) => c.username && c.credential)
        .map(([url, c]) => ({ url, ...c }));
      setResult(await api.reproduceCall({ callId: call.id, ...(credentials.length ? { credentials } : {}) }));
    } catch (e) {
      setError(`The call could not be reproduced: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  };
  const set = (url: string, key: 'username' | 'credential', value: string) =>
    setTyped((all) => ({ ...all, [url]: { username: '', credential: '', ...all[url], [key]: value } }));

  return (
    <div data-testid="call-view" data-call={call.id} data-outcome={call.outcome}>
      <section className="card" aria-labelledby="call-title">
        <div className="card-header">
          <h2 id="call-title">
            {call.source}: {call.outcome.replace(/-/g, ' ')}
          </h2>
          <button type="button" className="secondary" onClick={onClose}>
            All calls
          </button>
        </div>
        <p className="sub">
          {call.format} dump · call of {call.startedAt ? formatTime(call.startedAt) : 'an unknown time'} ·
          imported {formatTime(call.importedAt)}
          {call.userAgent ? ` · ${call.userAgent}` : ''}
        </p>
        <h3>Observations</h3>
        <ul className="call-observations" data-testid="call-observations">
          {call.observations.map((o, i) => (
            <li key={i} data-kind={o.kind} data-code={o.code ?? undefined}>
              <strong>{o.summary}</strong> <span className="sub">connection {o.peerConnectionId}</span>
              {o.evidence.length > 0 && (
                <ul className="evidence">
                  {o.evidence.map((line, j) => (
                    <li key={j}>{line}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="reproduce-title">
        <h2 id="reproduce-title">Reproduce</h2>
        <p>
          Runs the isolated tests against exactly this call's ICE servers, from this network, and puts the
          call beside them. TURN credentials come from the dump (never kept), a saved server on the same host
          and port, or what you enter here (used once, not saved).
        </p>
        {turnUrls.length > 0 && (
          <details className="call-credentials">
            <summary>TURN credentials</summary>
            {turnUrls.map((url) => (
              <fieldset key={url} className="field-grid">
                <legend className="mono url">{url}</legend>
                <label className="field">
                  Username
                  <input
                    type="text"
                    autoComplete="off"
                    value={typed[url]?.username ?? ''}
                    onChange={(e) => set(url, 'username', e.target.value)}
                  />
                </label>
                <label className="field">
                  Credential
                  <input
                    type="password"
                    autoComplete="off"
                    value={typed[url]?.credential ?? ''}
                    onChange={(e) => set(url, 'credential', e.target.value)}
                  />
                </label>
              </fieldset>
            ))}
          </details>
        )}
        <button type="button" className="primary-small" onClick={() => void reproduce()} disabled={busy}>
          {busy ? 'Reproducing…' : 'Reproduce'}
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </section>
      {result && <ReproductionView result={result} />}

      <h2>Connections</h2>
      {call.peerConnections.map((pc) => (
        <PeerConnectionView key={pc.id} pc={pc} />
      ))}
    </div>
  );
}
