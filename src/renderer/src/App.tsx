import { useEffect, useRef, useState } from 'react';
import type { MethodResult, TriageApi } from '../../contract';
import { ProgressList } from './components/ProgressList';
import { RunControls } from './components/RunControls';
import { TargetTable } from './components/TargetTable';
import { VerdictCard } from './components/VerdictCard';
import { useDiagnosis } from './useDiagnosis';

type AppInfo = MethodResult<'appInfo'>;

export function App({ api }: { api: TriageApi }) {
  const { state, run, cancel } = useDiagnosis(api);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const verdictRef = useRef<HTMLElement>(null);
  const previousRunId = useRef<string | null>(null);

  useEffect(() => {
    api.appInfo({}).then(setInfo, () => setInfo(null));
  }, [api]);

  // When a run this session started ends, move focus to its verdict so keyboard and screen-reader
  // users land on the answer.
  useEffect(() => {
    const runId = state.report?.runId ?? null;
    if (runId && !state.fromHistory && runId !== previousRunId.current) verdictRef.current?.focus();
    previousRunId.current = runId;
  }, [state.report, state.fromHistory]);

  const running = state.phase !== 'idle';
  return (
    <div className="app">
      <header className="app-header">
        <h1>RTC Triage</h1>
        <p className="tagline">Is it the infrastructure, the network, or the app?</p>
      </header>
      <main>
        <RunControls phase={state.phase} canCancel={state.runId !== null} onRun={run} onCancel={cancel} />
        {state.error && (
          <p className="error" role="alert">
            {state.error}
          </p>
        )}
        {running && <ProgressList rows={state.progress} />}
        {state.report && (
          <>
            <VerdictCard ref={verdictRef} report={state.report} fromHistory={state.fromHistory} />
            <TargetTable targets={state.report.targets} />
          </>
        )}
        {!state.report && !running && !state.error && (
          <p className="empty">No diagnosis yet. Run one to test every configured server.</p>
        )}
      </main>
      <footer className="app-footer">
        {info ? `RTC Triage ${info.version} · ${info.face} · history: ${info.dbPath}` : 'RTC Triage'}
      </footer>
    </div>
  );
}
