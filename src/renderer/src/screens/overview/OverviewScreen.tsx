import { useEffect, useRef } from 'react';
import { MonitorSwitch, type MonitorApi } from '../../components/MonitorSwitch';
import { PathQuality } from '../../components/PathQuality';
import { ProgressList } from '../../components/ProgressList';
import { RunControls } from '../../components/RunControls';
import { ServerTable } from '../../components/ServerTable';
import { VerdictCard } from '../../components/VerdictCard';
import type { Diagnosis } from '../../useDiagnosis';
import { StatusStrip } from './StatusStrip';

/** Where a support engineer starts: the status strip, "Run diagnosis" with live progress, the verdict. */
export function OverviewScreen({ diagnosis, api }: { diagnosis: Diagnosis; api: MonitorApi }) {
  const { state, run, cancel, appFailing, setAppFailing } = diagnosis;
  const verdictRef = useRef<HTMLElement>(null);
  const previousRunId = useRef<string | null>(state.report?.runId ?? null);

  // When a run this session started ends, move focus to its verdict so keyboard and screen-reader
  // users land on the answer.
  useEffect(() => {
    const runId = state.report?.runId ?? null;
    if (runId && !state.fromHistory && runId !== previousRunId.current) verdictRef.current?.focus();
    previousRunId.current = runId;
  }, [state.report, state.fromHistory]);

  const running = state.phase !== 'idle';
  return (
    <>
      <StatusStrip report={state.report} />
      <RunControls
        phase={state.phase}
        canCancel={state.runId !== null}
        appFailing={appFailing}
        onAppFailingChange={setAppFailing}
        onRun={() => void run()}
        onCancel={() => void cancel()}
      />
      {state.error && (
        <p className="error" role="alert">
          {state.error}
        </p>
      )}
      {running && <ProgressList rows={state.progress} />}
      {state.report && (
        <>
          <VerdictCard
            ref={verdictRef}
            report={state.report}
            fromHistory={state.fromHistory}
            onRetry={() => void run()}
            retryDisabled={running}
          />
          <section className="targets" aria-labelledby="targets-title">
            <h2 id="targets-title">Servers</h2>
            <ServerTable
              servers={state.report.targets}
              columns={['rtt']}
              caption="Servers and their status in this diagnosis"
              rowTestId="target-row"
            />
          </section>
          <PathQuality report={state.report} />
        </>
      )}
      {!state.report && !running && !state.error && (
        <p className="empty">No diagnosis yet. Run one to test every configured server.</p>
      )}
      <MonitorSwitch api={api} />
    </>
  );
}
