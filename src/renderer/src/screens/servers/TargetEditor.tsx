import { useId, useState, type FormEvent } from 'react';
import { TARGET_KINDS, type Target, type TargetKind } from '../../../../contract';
import { URL_EXAMPLES, draftFrom, validateDraft, type DraftField, type TargetDraft } from './target-draft';

interface Props {
  /** The target being edited, or undefined to add one. */
  initial?: Target;
  takenIds: ReadonlySet<string>;
  saving: boolean;
  /** An error the engine returned for this entry (e.g. its url), shown under the field. */
  serverError: { field: DraftField | null; message: string } | null;
  onSave(target: Target): void;
  onCancel(): void;
}

const KIND_NAMES: Record<TargetKind, string> = {
  stun: 'STUN server',
  turn: 'TURN server',
  gun: 'GUN relay',
  peerjs: 'PeerJS server',
};

/** Adds or edits one server. Every keystroke is checked with the config file's schema. */
export function TargetEditor({ initial, takenIds, saving, serverError, onSave, onCancel }: Props) {
  const [draft, setDraft] = useState<TargetDraft>(() => draftFrom(initial));
  const [touched, setTouched] = useState<Partial<Record<DraftField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const base = useId();
  const { target, errors } = validateDraft(draft, takenIds);

  const set = (field: DraftField, value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
  };
  const errorFor = (field: DraftField): string | undefined => {
    if (serverError && serverError.field === field) return serverError.message;
    return touched[field] || submitted ? errors[field] : undefined;
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (target) onSave(target);
  };

  const field = (
    name: DraftField,
    label: string,
    props: { type?: string; hint?: string; optional?: boolean } = {},
  ) => {
    const id = `${base}-${name}`;
    const error = errorFor(name);
    const described = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    return (
      <div className="field">
        <label htmlFor={id}>
          {label}
          {props.optional && <span className="optional"> (optional)</span>}
        </label>
        <input
          id={id}
          name={name}
          type={props.type ?? 'text'}
          value={draft[name]}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={described || undefined}
          onChange={(event) => set(name, event.target.value)}
        />
        {props.hint && (
          <p id={`${id}-hint`} className="hint">
            {props.hint}
          </p>
        )}
        {error && (
          <p id={`${id}-error`} className="field-error" data-testid={`error-${name}`}>
            {error}
          </p>
        )}
      </div>
    );
  };

  const title = initial ? `Edit ${initial.id ?? initial.url}` : 'Add a server';
  return (
    <form className="card target-editor" onSubmit={submit} aria-label={title} noValidate>
      <h2>{title}</h2>
      <div className="field">
        <label htmlFor={`${base}-kind`}>Kind</label>
        <select
          id={`${base}-kind`}
          value={draft.kind}
          onChange={(event) => set('kind', event.target.value as TargetKind)}
        >
          {TARGET_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_NAMES[kind]}
            </option>
          ))}
        </select>
      </div>
      {field('url', 'URL', { hint: `For example ${URL_EXAMPLES[draft.kind]}` })}
      <div className="field-row">
        {field('id', 'Id', { optional: true, hint: 'A short name for history; the URL when empty.' })}
        {field('label', 'Label', { optional: true })}
      </div>
      {draft.kind === 'turn' && (
        <div className="field-row">
          {field('username', 'Username')}
          {field('credential', 'Credential', { type: 'password' })}
        </div>
      )}
      {draft.kind === 'peerjs' &&
        field('key', 'API key', { optional: true, hint: 'The public PeerJS server uses "peerjs".' })}
      {serverError && serverError.field === null && (
        <p className="field-error" role="alert">
          {serverError.message}
        </p>
      )}
      <div className="buttons">
        <button type="submit" className="primary-small" disabled={saving}>
          {saving ? 'Saving…' : 'Save server'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
