import { useId } from 'react';
import { WINDOWS } from './format';

/** Which stretch of history a screen looks at. */
export function WindowPicker({ value, onChange }: { value: number; onChange(ms: number): void }) {
  const id = useId();
  return (
    <div className="field inline">
      <label htmlFor={id}>Window</label>
      <select id={id} value={value} onChange={(event) => onChange(Number(event.target.value))}>
        {WINDOWS.map((w) => (
          <option key={w.ms} value={w.ms}>
            {w.label}
          </option>
        ))}
      </select>
    </div>
  );
}
