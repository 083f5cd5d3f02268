import type { CallPeerConnection, CandidateError } from '../../../../contract';
import { formatMs } from '../../components/format';
import { Time } from '../../components/Time';

const TYPES = ['host', 'srflx', 'prflx', 'relay'] as const;
const OF_LABEL = { ice: 'ICE', connection: 'connection', gathering: 'gathering', signaling: 'signaling' };

/** The same error code from the same server, counted once. */
function groupedErrors(errors: readonly CandidateError[]) {
  const groups = new Map<string, { url: string; code: number; text: string; count: number }>();
  for (const e of errors) {
    const key = `${e.url} ${e.code}`;
    const group = groups.get(key) ?? { url: e.url, code: e.code, text: e.text, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()];
}

function counts(record: Record<string, number>): string {
  const parts = Object.entries(record).map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(', ') : '—';
}

/** One RTCPeerConnection of an imported call: what it was given and what it did. */
export function PeerConnectionView({ pc }: { pc: CallPeerConnection }) {
  const headingId = `pc-${pc.id}`;
  const pair = pc.selectedPair;
  return (
    <section className="card" aria-labelledby={headingId} data-testid="call-pc" data-outcome={pc.outcome}>
      <h3 id={headingId}>
        Connection <span className="mono">{pc.id}</span>: {pc.outcome.replace(/-/g, ' ')}
      </h3>
      <p className="sub">
        ICE transport policy: {pc.iceTransportPolicy ?? '—'} · candidates gathered:{' '}
        {counts(pc.candidateTypes)} · pairs checked: {pc.pairsChecked}
      </p>

      <h4>ICE servers</h4>
      {pc.iceServers.length === 0 ? (
        <p className="empty">None: host candidates only.</p>
      ) : (
        <ul className="call-servers" data-testid="call-ice-servers">
          {pc.iceServers.map((server, i) => (
            <li key={i}>
              <span className="mono url">{server.urls.join(', ')}</span>{' '}
              <span className="sub">
                {server.hasCredentials ? 'credentials given (not kept)' : 'no credentials in the dump'}
              </span>
            </li>
          ))}
        </ul>
      )}

      <h4>Candidates per server</h4>
      {pc.candidates.length === 0 ? (
        <p className="empty">No server gave a candidate.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="call-candidates">
            <thead>
              <tr>
                <th scope="col">Server</th>
                {TYPES.map((t) => (
                  <th scope="col" key={t} className="num">
                    {t}
                  </th>
                ))}
                <th scope="col">Relay over</th>
                <th scope="col" className="num">
                  First relay
                </th>
              </tr>
            </thead>
            <tbody>
              {pc.candidates.map((c) => (
                <tr key={c.url}>
                  <th scope="row" className="mono url">
                    {c.url}
                  </th>
                  {TYPES.map((t) => (
                    <td key={t} className="num">
                      {c.types[t] ?? 0}
                    </td>
                  ))}
                  <td>{counts(c.relayProtocols)}</td>
                  <td className="num">{formatMs(c.firstRelayMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h4>Candidate errors</h4>
      {pc.errors.length === 0 ? (
        <p className="empty">No icecandidateerror.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="call-errors">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col" className="num">
                  Code
                </th>
                <th scope="col">Text</th>
                <th scope="col" className="num">
                  Times
                </th>
              </tr>
            </thead>
            <tbody>
              {groupedErrors(pc.errors).map((e) => (
                <tr key={`${e.url} ${e.code}`} data-code={e.code}>
                  <th scope="row" className="mono url">
                    {e.url}
                  </th>
                  <td className="num">{e.code}</td>
                  <td>{e.text || '—'}</td>
                  <td className="num">{e.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h4>Selected pair</h4>
      {pair ? (
        <p data-testid="call-selected-pair">
          {pair.localType ?? '?'} → {pair.remoteType ?? '?'} over {pair.protocol ?? '?'}
          {pair.relayProtocol ? ` (relay via ${pair.relayProtocol.toUpperCase()})` : ''}
          {pair.url ? (
            <>
              {' '}
              through <span className="mono url">{pair.url}</span>
            </>
          ) : null}
          {' · '}RTT {formatMs(pc.rttMs === null ? null : pc.rttMs)} · sent {pc.bytesSent ?? '—'} B · received{' '}
          {pc.bytesReceived ?? '—'} B
        </p>
      ) : (
        <p className="empty">No pair was selected.</p>
      )}

      <h4>
        State timeline
        {pc.timeline[0] ? (
          <>
            {' '}
            (from <Time iso={pc.timeline[0].at} />)
          </>
        ) : null}
      </h4>
      {pc.timeline.length === 0 ? (
        <p className="empty">No state change recorded.</p>
      ) : (
        <ol className="call-timeline" data-testid="call-timeline">
          {pc.timeline.map((change, i) => (
            <li key={i} data-of={change.of} data-state={change.state}>
              <span className="mono" title={change.at}>
                {offsetOf(change.at, pc.timeline[0]?.at ?? change.at)}
              </span>{' '}
              {OF_LABEL[change.of]}: <strong>{change.state}</strong>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** A state change's moment as its offset from the first one ("+1.25 s"): the timeline's one time is its start. */
function offsetOf(at: string, first: string): string {
  const ms = Date.parse(at) - Date.parse(first);
  return Number.isNaN(ms) ? at : `+${(ms / 1000).toFixed(2)} s`;
}
