import { useEffect, useState } from 'react';
import type { TriageApi } from '../../../contract';

type EngineState =
  { kind: 'running' } | { kind: 'crashed'; reason: string; restarting: boolean } | { kind: 'restarted' };

/**
 * Says when the engine process stopped and whether it is being restarted (supervisor.ts): a call
 * that was running when it died failed with that reason, and the next one works again.
 */
export function EngineBanner({ api }: { api: TriageApi }) {
  const [state, setState] = useState<EngineState>({ kind: 'running' });
  useEffect(
    () =>
      api.onEvent((event) => {
        if (event.name === 'engine.crashed') {
          const data = event.data ?? {};
          setState({
            kind: 'crashed',
            reason: typeof data.reason === 'string' ? data.reason : 'unknown',
            restarting: data.restarting !== false,
          });
        } else if (event.name === 'engine.restarted') setState({ kind: 'restarted' });
      }),
    [api],
  );
  if (state.kind === 'running') return null;
  if (state.kind === 'restarted') {
    return (
      <div className="banner engine-banner" role="status" data-testid="engine-banner" data-state="restarted">
        <p>The engine was restarted. Run the diagnosis again if one was interrupted.</p>
        <button type="button" className="small" onClick={() => setState({ kind: 'running' })}>
          Dismiss
        </button>
      </div>
    );
  }
  return (
    <div className="banner engine-banner error" role="alert" data-testid="engine-banner" data-state="crashed">
      <p>
        <strong>The engine stopped</strong> ({state.reason}).{' '}
        {state.restarting
          ? 'It is being restarted; what was running has to be run again.'
          : 'It stopped too often and is not restarted: quit and start RTC Triage again.'}
      </p>
    </div>
  );
}
