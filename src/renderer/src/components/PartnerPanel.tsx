import { useCallback, useEffect, useId, useState } from 'react';
import type { PartnerResult, PartnerState, TriageApi } from '../../../contract';
import { normalizePartnerCode } from '../../../contract/partner-code';
import { describeError } from '../api/call-failure';
import {
  cannotBecomeCode,
  crossNetworkWords,
  joinCommand,
  partnerHeadline,
  partnerRows,
  qrDataUrl,
} from './partner-rows';
import { Time } from './Time';

/** How often the panel asks for the test's state while one runs (events also refresh it). */
const POLL_MS = 1000;

/**
 * "Pair with a partner" (issue #11): one side shows a short code and its QR code, the other enters
 * it; both then see the same table of sessions (host-only, direct, relay) and what they prove.
 * Self-contained: give it the contract and place it anywhere.
 */
export function PartnerPanel({ api }: { api: TriageApi }) {
  const [state, setState] = useState<PartnerState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    api.partnerStatus({}).then(setState, (e: unknown) => setError(describeError(e)));
  }, [api]);

  useEffect(() => {
    refresh();
    return api.onEvent((event) => {
      if (event.name.startsWith('partner.')) refresh();
    });
  }, [api, refresh]);

  const active = state?.active ?? false;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [active, refresh]);

  const call = (work: () => Promise<PartnerState | { cancelled: boolean }>) => {
    setBusy(true);
    setError(null);
    work()
      .then((next) => {
        if ('phase' in next) setState(next);
        else refresh();
      })
      .catch((e: unknown) => setError(describeError(e)))
      .finally(() => setBusy(false));
  };

  return (
    <section className="partner-panel" aria-label="Pair with a partner">
      <h2>Pair with a partner</h2>
      <p>
        Prove the path between two networks: the user with the problem and the support engineer each run a
        tester on their own network, one shows a code, the other enters it.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <PartnerView
        state={state}
        busy={busy}
        onHost={() => call(() => api.partnerHost({}))}
        onJoin={(code) => call(() => api.partnerJoin({ code }))}
        onCancel={() => call(() => api.partnerCancel({}))}
      />
    </section>
  );
}

interface ViewProps {
  state: PartnerState | null;
  busy: boolean;
  onHost(): void;
  onJoin(code: string): void;
  onCancel(): void;
}

/** The panel's content for one state (separate from the calls, so every state renders on its own). */
export function PartnerView({ state, busy, onHost, onJoin, onCancel }: ViewProps) {
  if (!state || !state.active) {
    return (
      <>
        {state && <ReachWarning reach={state.reach} />}
        <Start busy={busy} onHost={onHost} onJoin={onJoin} />
        {state?.result && <Result state={state} />}
      </>
    );
  }
  return (
    <div aria-live="polite">
      <ReachWarning reach={state.reach} />
      {state.phase === 'waiting' && state.code && <ShowCode code={state.code} expiresAt={state.expiresAt} />}
      {state.phase === 'waiting' && !state.code && <p>Connecting to the signaling servers…</p>}
      {state.phase === 'pairing' && (
        <p>Looking for your partner{state.code ? ` (code ${state.code})` : ''}…</p>
      )}
      {state.phase === 'testing' && <p>Paired. Running the sessions between your two networks…</p>}
      {state.paths.length > 0 && <PathTable state={state} />}
      <div className="buttons">
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** Servers a partner on another network cannot reach, and what a remote partner needs (the engine's words). */
function ReachWarning({ reach }: { reach: PartnerState['reach'] }) {
  if (reach.sentences.length === 0) return null;
  const blocked = reach.pairingBlocked || reach.relayBlocked;
  return (
    <div
      className={`reach-warning${blocked ? ' blocked' : ''}`}
      role="note"
      aria-label="Servers a remote partner cannot reach"
      data-testid="partner-reach"
      data-blocked={blocked}
    >
      <p className="reach-title">
        <strong>
          {reach.pairingBlocked
            ? 'Only a partner on this machine or network can pair'
            : 'Check the servers first'}
        </strong>
      </p>
      {reach.sentences.map((sentence) => (
        <p key={sentence}>{sentence}</p>
      ))}
    </div>
  );
}

function Start({ busy, onHost, onJoin }: Pick<ViewProps, 'busy' | 'onHost' | 'onJoin'>) {
  const [typed, setTyped] = useState('');
  const [touched, setTouched] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const code = normalizePartnerCode(typed);
  // Checked as typed where it already cannot be a code; a code cut short only once the field is left
  // or sent, so nobody is scolded halfway through typing.
  const invalid = code === null && ((touched && typed.trim() !== '') || cannotBecomeCode(typed));
  return (
    <div className="partner-start">
      <div className="buttons">
        <button type="button" className="primary" onClick={onHost} disabled={busy}>
          Show a code
        </button>
      </div>
      <form
        className="partner-join"
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (code) onJoin(code);
        }}
      >
        <label htmlFor={inputId}>Partner&apos;s code</label>{' '}
        <input
          id={inputId}
          className="mono"
          value={typed}
          placeholder="7KQ2-M9XD"
          autoComplete="off"
          spellCheck={false}
          maxLength={20}
          aria-invalid={invalid}
          aria-describedby={hintId}
          onChange={(event) => setTyped(event.target.value)}
          onBlur={() => setTouched(true)}
        />{' '}
        {/* Not disabled for a bad code: Enter or a click must show why instead of doing nothing. */}
        <button type="submit" className="secondary" disabled={busy || typed.trim() === ''}>
          Join
        </button>
        <p id={hintId} className={invalid ? 'error' : 'details-meta'}>
          {invalid
            ? 'A code is 8 letters and digits, like 7KQ2-M9XD (O and 0, I, L and 1 may be mixed up).'
            : 'Codes work once and expire after 10 minutes.'}
        </p>
      </form>
    </div>
  );
}

function ShowCode({ code, expiresAt }: { code: string; expiresAt: string | null }) {
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    qrDataUrl(code).then(
      (url) => live && setQr(url),
      () => live && setQr(null),
    );
    return () => {
      live = false;
    };
  }, [code]);
  return (
    <div className="partner-code">
      <p>Read this code to your partner, or let them scan it:</p>
      <p
        className="mono partner-code-text"
        data-testid="partner-code"
        aria-label={`code ${code.split('').join(' ')}`}
      >
        {code}
      </p>
      {qr && (
        <img
          src={qr}
          width={160}
          height={160}
          alt={`QR code: ${joinCommand(code)}`}
          data-testid="partner-qr"
        />
      )}
      <p className="details-meta">
        Works once
        {expiresAt && (
          <>
            , until <Time iso={expiresAt} />
          </>
        )}
        . On the command line: <span className="mono">{joinCommand(code)}</span>
      </p>
      <p>Waiting for your partner…</p>
    </div>
  );
}

function Result({ state }: { state: PartnerState }) {
  const result = state.result;
  if (!result) return null;
  const cross = result.crossNetwork;
  // Never met (a wrong, expired or used code; no server reachable; cancelled while looking): there is
  // no shared table and nothing was proven, so only the reason is shown, as an alert.
  if (!result.pairedVia) {
    return (
      <div className="partner-result" data-testid="partner-result" data-status={result.status}>
        <h3>{failureTitle(result)}</h3>
        <p className="error" role="alert">
          {result.message}
        </p>
      </div>
    );
  }
  return (
    <div className="partner-result" data-testid="partner-result" data-status={result.status}>
      <h3>{partnerHeadline(result)}</h3>
      {result.status === 'completed' && <p>{cross.summary}</p>}
      <div className="chips">
        <span
          className={`chip path-${cross.result}`}
          data-testid="partner-cross-network"
          data-result={cross.result}
        >
          Cross-network: <strong>{cross.result}</strong>
        </span>
        {cross.path && (
          <span className="chip">
            Path that worked: <strong>{cross.path}</strong>
          </span>
        )}
      </div>
      {result.paths.length > 0 && <PathTable state={state} />}
      {result.verdict && (
        <p>
          <strong>{result.verdict.title}.</strong> {result.verdict.action}
        </p>
      )}
      <p className="details-meta">
        Correlation id{' '}
        <span className="mono" data-testid="partner-correlation-id">
          {result.correlationId}
        </span>{' '}
        (the same in both testers&apos; histories). {crossNetworkWords(cross)}
      </p>
    </div>
  );
}

function failureTitle(result: PartnerResult): string {
  switch (result.status) {
    case 'code-rejected':
      return result.codeProblem === 'used'
        ? 'This code has already been used'
        : result.codeProblem === 'expired'
          ? 'This code has expired'
          : 'No partner is waiting for this code';
    case 'unreachable':
      return 'No signaling server could be reached';
    case 'expired':
      return 'Nobody joined before the code expired';
    case 'cancelled':
      return 'Partner test cancelled';
    default:
      return 'The partner test did not finish';
  }
}

function PathTable({ state }: { state: PartnerState }) {
  const rows = partnerRows(state.result?.paths ?? state.paths);
  return (
    <div className="table-scroll">
      <table>
        <caption>Sessions between the two testers</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Server</th>
            <th scope="col">Result</th>
            <th scope="col" className="num">
              RTT
            </th>
            <th scope="col" className="num">
              Loss
            </th>
            <th scope="col" className="num">
              Throughput
            </th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} data-testid="partner-row" data-path={row.path} data-outcome={row.outcome}>
              <td>{row.session}</td>
              <td className="mono">{row.server}</td>
              <td>
                <span className={`status outcome-${row.outcome}`}>{row.outcome}</span>
              </td>
              <td className="num">{row.rtt}</td>
              <td className="num">{row.loss}</td>
              <td className="num">{row.throughput}</td>
              <td>{row.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
