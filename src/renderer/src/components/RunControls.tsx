import { useId } from 'react';
import type { DiagnosisState } from '../useDiagnosis';

interface Props {
  phase: DiagnosisState['phase'];
  canCancel: boolean;
  appFailing: boolean;
  onAppFailingChange(appFailing: boolean): void;
  onRun(): void;
  onCancel(): void;
}

export function RunControls({ phase, canCancel, appFailing, onAppFailingChange, onRun, onCancel }: Props) {
  const checkboxId = useId();
  const running = phase !== 'idle';
  return (
    <section className="run-controls" aria-label="Diagnosis">
      <div className="buttons">
        <button type="button" className="primary" onClick={onRun} disabled={running}>
          {running ? 'Diagnosing…' : 'Run diagnosis'}
        </button>
        {running && (
          <button
            type="button"
            className="secondary"
            onClick={onCancel}
            disabled={!canCancel || phase === 'cancelling'}
          >
            {phase === 'cancelling' ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      <div className="option">
        <input
          id={checkboxId}
          type="checkbox"
          checked={appFailing}
          disabled={running}
          onChange={(event) => onAppFailingChange(event.target.checked)}
        />
        <label htmlFor={checkboxId}>The app is still failing for the user</label>
      </div>
    </section>
  );
}
