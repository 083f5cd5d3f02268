import { useState } from 'react';
import {
  iceServerKey,
  type Call,
  type CallObservation,
  type CallReproduction,
  type TriageApi,
} from '../../../../contract';
import { describeError } from '../../api/call-failure';
import { formatTime } from '../../components/format';
import { PeerConnectionView } from './PeerConnectionView';
import { ReproductionView } from './ReproductionView';

const isTurn = (url: string) => /^turns?:/i.test(url);

/** The call's TURN URLs by server (host:port): a server's udp, tcp and tls URLs share one credential. */
function turnServersOf(call: Call): Array<{ server: string; urls: string[] }> {
  const servers = new Map<string, string[]>();
  for (const url of new Set(call.peerConnections.flatMap((pc) => pc.iceServers.flatMap((s) => s.urls)))) {
    if (!isTurn(url)) continue;
    const key = iceServerKey(url);
    servers.set(key, [...(servers.get(key) ?? []), url]);
  }
  return [...servers].map(([server, urls]) => ({ server, urls }));
}

/**
 * The observations as one item per finding: a dump with two connections that both saw the same
 * thing says it once, naming both connections; evidence lines they share are listed once.
 */
function findingsOf(observations: readonly CallObservation[]) {
  const findings = new Map<
    string,
    { observation: CallObservation; connections: string[]; evidence: string[] }
  >();
  for (const o of observations) {
    const key = `${o.kind}\n${o.code ?? ''}\n${o.summary}`;
    const finding = findings.get(key) ?? { observation: o, connections: [], evidence: [] };
    finding.connections.push(o.peerConnectionId);
    for (const line of o.evidence) if (!finding.evidence.includes(line)) finding.evidence.push(line);
    findings.set(key, finding);
  }
  return [...findings.values()];
}

const connectionsText = (ids: readonly string[]) =>
  ids.length === 1 ? `connection ${ids[0]}` : `connections ${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}`;

/** One imported call: its observations, each connection, and the reproduction on demand. */
export function CallView({ api, call, onClose }: { api: TriageApi; call: Call; onClose(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<CallReproduction | null>(null);
  const turnServers = turnServersOf(call);
  const [typed, setTyped] = useState<Record<string, { username: string; credential: string }>>({});

  const reproduce = async () => {
    setBusy(true);
    setError(null);
    try {
      const credentials = turnServers.flatMap(({ server, urls }) => {
        const given = typed[server];
        return given?.username && given.credential ? urls.map((url) => ({ url, ...given })) : [];
      });
      setResult(await api.reproduceCall({ callId: call.id, ...(credentials.length ? { credentials } : {}) }));
    } catch (e) {
      setError(`The call could not be reproduced: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  };
  const set = (server: string, key: 'username' | 'credential', value: string) =>
    setTyped((all) => ({ ...all, [server]: { username: '', credential: '', ...all[server], [key]: value } }));

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
          {findingsOf(call.observations).map(({ observation: o, connections, evidence }, i) => (
            <li
              key={i}
              data-kind={o.kind}
              data-code={o.code ?? undefined}
              data-connections={connections.length}
            >
              <strong>{o.summary}</strong> <span className="sub">{connectionsText(connections)}</span>
              {evidence.length > 0 && (
                <ul className="evidence">
                  {evidence.map((line, j) => (
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
        {turnServers.length > 0 && (
          <details className="call-credentials">
            <summary>TURN credentials</summary>
            {turnServers.map(({ server, urls }) => (
              <fieldset key={server} className="field-grid" data-server={server}>
                <legend>
                  TURN server <span className="mono">{server}</span>
                  <span className="sub">
                    {' '}
                    · {urls.length === 1 ? 'URL' : 'URLs'}: {urls.join(', ')}
                  </span>
                </legend>
                <label className="field">
                  Username
                  <input
                    type="text"
                    autoComplete="off"
                    aria-label={`Username for ${server}`}
                    value={typed[server]?.username ?? ''}
                    onChange={(e) => set(server, 'username', e.target.value)}
                  />
                </label>
                <label className="field">
                  Credential
                  <input
                    type="password"
                    autoComplete="off"
                    aria-label={`Credential for ${server}`}
                    value={typed[server]?.credential ?? ''}
                    onChange={(e) => set(server, 'credential', e.target.value)}
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
