import { useId, useRef, useState, type DragEvent } from 'react';
import type { Call, TriageApi } from '../../../../contract';
import { describeError } from '../../api/call-failure';
import { formatTime } from '../../components/format';
import { useCall } from '../../hooks/useCall';
import { CallView } from './CallView';
import { readDumpFile } from './read-dump';

/**
 * A user's real call (docs/calls.md): import the dump their browser wrote, see what went wrong in
 * plain sentences, and reproduce it against the same ICE servers from this network.
 */
export function CallsScreen({ api }: { api: TriageApi }) {
  const calls = useCall(api, 'listCalls', {});
  const [shown, setShown] = useState<Call | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const fileId = useId();

  const importFile = async (file: File) => {
    setBusy(true);
    setError(null);
    try {
      const text = await readDumpFile(file);
      const call = await api.importCall({ name: file.name, text });
      calls.reload();
      setShown(call);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  const show = async (callId: string) => {
    setError(null);
    try {
      setShown(await api.getCall({ callId }));
    } catch (e) {
      setError(describeError(e));
    }
  };

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && !busy) void importFile(file);
  };

  // back to the list: read it again, a reproduction since changed it
  const close = () => {
    setShown(null);
    calls.reload();
  };
  if (shown) return <CallView api={api} call={shown} onClose={close} />;
  return (
    <>
      <section
        className={`card call-drop${dragging ? ' dragging' : ''}`}
        aria-labelledby="import-title"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="call-import"
      >
        <h2 id="import-title">Import a call</h2>
        <p>
          A user's failing call, from the dump their browser wrote: in Chrome, open chrome://webrtc-internals
          during the call, then "Create a WebRTC-Internals dump" → Download (gzip or plain); or an rtcstats
          dump (JSON lines). Pick the file or drop it here. The ICE servers' credentials are never stored.
        </p>
        <div className="field">
          <label htmlFor={fileId}>Dump file</label>
          <input
            id={fileId}
            ref={fileInput}
            type="file"
            accept=".json,.gz,.txt,.ndjson,.log,application/json,application/gzip"
            disabled={busy}
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) void importFile(file);
            }}
          />
        </div>
        <p className="notice" role="status">
          {busy ? 'Importing…' : ''}
        </p>
        {error && (
          <p className="error" role="alert" data-testid="call-import-error">
            {error}
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="calls-title">
        <h2 id="calls-title">Imported calls</h2>
        {calls.error && (
          <p className="error" role="alert">
            {calls.error}
          </p>
        )}
        {calls.data && calls.data.length === 0 && <p className="empty">No call imported yet.</p>}
        {calls.data && calls.data.length > 0 && (
          <div className="table-scroll">
            <table data-testid="call-list">
              <thead>
                <tr>
                  <th scope="col">Dump</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Call of</th>
                  <th scope="col">Imported</th>
                  <th scope="col" className="num">
                    Connections
                  </th>
                  <th scope="col" className="num">
                    Observations
                  </th>
                  <th scope="col">Reproduced</th>
                </tr>
              </thead>
              <tbody>
                {calls.data.map((c) => (
                  <tr key={c.id} data-call={c.id} data-outcome={c.outcome}>
                    <th scope="row">
                      <button type="button" className="link-button" onClick={() => void show(c.id)}>
                        {c.source}
                      </button>
                      <span className="sub">{c.format}</span>
                    </th>
                    <td className={c.outcome === 'connected' ? 'outcome-success' : 'status-degraded'}>
                      {c.outcome.replace(/-/g, ' ')}
                    </td>
                    <td>{c.startedAt ? formatTime(c.startedAt) : '—'}</td>
                    <td>{formatTime(c.importedAt)}</td>
                    <td className="num">{c.peerConnections}</td>
                    <td className="num">{c.observations}</td>
                    <td>{c.reproducedRunId ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
