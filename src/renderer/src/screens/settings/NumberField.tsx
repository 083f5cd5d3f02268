import { useEffect, useId, useState } from 'react';

interface Props {
  name: string;
  label: string;
  value: number;
  error: string | undefined;
  step?: string;
  onChange(value: number): void;
}

/** A number input whose text may be half-typed; the schema's message shows under it. */
export function NumberField({ name, label, value, error, step, onChange }: Props) {
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => {
    // NaN is "being typed": the text stays as the user left it.
    setText((current) => (Number.isNaN(value) || Number(current) === value ? current : String(value)));
  }, [value]);
  const notANumber = text.trim() === '' || !Number.isFinite(Number(text));
  const message = notANumber ? 'enter a number' : error;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="number"
        inputMode="decimal"
        step={step ?? '1'}
        value={text}
        aria-invalid={message ? true : undefined}
        aria-describedby={message ? `${id}-error` : undefined}
        onChange={(event) => {
          setText(event.target.value);
          const parsed = Number(event.target.value);
          // An empty or partial entry is kept as typed; the last valid number stays in the settings.
          onChange(event.target.value.trim() === '' || !Number.isFinite(parsed) ? Number.NaN : parsed);
        }}
      />
      {message && (
        <p id={`${id}-error`} className="field-error">
          {message}
        </p>
      )}
    </div>
  );
}
