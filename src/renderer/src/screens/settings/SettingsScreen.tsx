import { useEffect, useState, type FormEvent } from 'react';
import { SettingsSchema, type Settings, type TriageApi } from '../../../../contract';
import { describeError } from '../../api/call-failure';
import { useCall } from '../../hooks/useCall';
import { NumberField } from './NumberField';

type Errors = Record<string, string>;

function validate(settings: Settings): Errors {
  const parsed = SettingsSchema.safeParse(settings);
  const errors: Errors = {};
  if (!parsed.success)
    for (const issue of parsed.error.issues) errors[issue.path.join('.')] ??= issue.message;
  return errors;
}

const TIMEOUTS = [
  { key: 'stunMs', label: 'STUN answer' },
  { key: 'iceGatheringMs', label: 'ICE gathering' },
  { key: 'offerMs', label: 'Offer' },
  { key: 'answerMs', label: 'Answer' },
  { key: 'connectMs', label: 'Connect' },
] as const;

/** Timeouts, retry policy, concurrency, schedule, retention and the export default, checked as typed. */
export function SettingsScreen({ api }: { api: TriageApi }) {
  const loaded = useCall(api, 'getSettings', {});
  const [draft, setDraft] = useState<Settings | null>(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    if (loaded.data) setDraft(loaded.data);
  }, [loaded.data]);

  if (loaded.error) {
    return (
      <p className="error" role="alert">
        Could not load the settings: {loaded.error}
      </p>
    );
  }
  if (!draft) return <p className="empty">Loading…</p>;

  const errors = validate(draft);
  const update = (change: (s: Settings) => Settings) => {
    setDraft((d) => (d ? change(d) : d));
    setNotice(null);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (Object.keys(errors).length > 0) {
      setSaveError('Some values are out of range: see the messages above.');
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      setDraft(await api.saveSettings(draft));
      setNotice('Settings saved. The next diagnosis uses them.');
    } catch (error) {
      setSaveError(describeError(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="settings" onSubmit={(event) => void submit(event)} noValidate aria-label="Settings">
      <fieldset className="card">
        <legend>Timeouts (milliseconds)</legend>
        <div className="field-grid">
          {TIMEOUTS.map(({ key, label }) => (
            <NumberField
              key={key}
              name={`timeouts.${key}`}
              label={label}
              value={draft.timeouts[key]}
              error={errors[`timeouts.${key}`]}
              onChange={(value) => update((s) => ({ ...s, timeouts: { ...s.timeouts, [key]: value } }))}
            />
          ))}
        </div>
      </fieldset>
      <fieldset className="card">
        <legend>Retry policy</legend>
        <div className="field-grid">
          <NumberField
            name="retry.maxAttempts"
            label="Attempts per test"
            value={draft.retry.maxAttempts}
            error={errors['retry.maxAttempts']}
            onChange={(value) => update((s) => ({ ...s, retry: { ...s.retry, maxAttempts: value } }))}
          />
          <NumberField
            name="retry.baseDelayMs"
            label="First delay (ms)"
            value={draft.retry.baseDelayMs}
            error={errors['retry.baseDelayMs']}
            onChange={(value) => update((s) => ({ ...s, retry: { ...s.retry, baseDelayMs: value } }))}
          />
          <NumberField
            name="retry.maxDelayMs"
            label="Longest delay (ms)"
            value={draft.retry.maxDelayMs}
            error={errors['retry.maxDelayMs']}
            onChange={(value) => update((s) => ({ ...s, retry: { ...s.retry, maxDelayMs: value } }))}
          />
          <NumberField
            name="retry.multiplier"
            label="Multiplier"
            step="0.1"
            value={draft.retry.multiplier}
            error={errors['retry.multiplier']}
            onChange={(value) => update((s) => ({ ...s, retry: { ...s.retry, multiplier: value } }))}
          />
          <div className="field">
            <label htmlFor="retry-jitter">Jitter</label>
            <select
              id="retry-jitter"
              value={draft.retry.jitter}
              onChange={(event) =>
                update((s) => ({
                  ...s,
                  retry: { ...s.retry, jitter: event.target.value as 'none' | 'full' },
                }))
              }
            >
              <option value="full">Full (spreads retries out)</option>
              <option value="none">None</option>
            </select>
          </div>
          <NumberField
            name="concurrency"
            label="Tests at once"
            value={draft.concurrency}
            error={errors.concurrency}
            onChange={(value) => update((s) => ({ ...s, concurrency: value }))}
          />
        </div>
      </fieldset>
      <fieldset className="card">
        <legend>Schedule</legend>
        <div className="option">
          <input
            id="schedule-enabled"
            type="checkbox"
            checked={draft.schedule.enabled}
            onChange={(event) =>
              update((s) => ({ ...s, schedule: { ...s.schedule, enabled: event.target.checked } }))
            }
          />
          <label htmlFor="schedule-enabled">Run a diagnosis on a schedule (monitor)</label>
        </div>
        <NumberField
          name="schedule.everyMs"
          label="Every (seconds)"
          value={draft.schedule.everyMs / 1000}
          error={errors['schedule.everyMs']}
          onChange={(value) =>
            update((s) => ({ ...s, schedule: { ...s.schedule, everyMs: Math.round(value * 1000) } }))
          }
        />
      </fieldset>
      <fieldset className="card">
        <legend>History and bundles</legend>
        <NumberField
          name="retentionDays"
          label="Keep history for (days, 0 = forever)"
          value={draft.retentionDays}
          error={errors.retentionDays}
          onChange={(value) => update((s) => ({ ...s, retentionDays: value }))}
        />
        <div className="option">
          <input
            id="redact-exports"
            type="checkbox"
            checked={draft.redactExports}
            onChange={(event) => update((s) => ({ ...s, redactExports: event.target.checked }))}
          />
          <label htmlFor="redact-exports">
            Redact exported bundles by default (IP addresses, machine names)
          </label>
        </div>
      </fieldset>
      {saveError && (
        <p className="error" role="alert">
          {saveError}
        </p>
      )}
      <div className="buttons">
        <button type="submit" className="primary-small" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            if (loaded.data) setDraft(loaded.data);
            setSaveError(null);
          }}
          disabled={saving}
        >
          Undo changes
        </button>
      </div>
      <p className="notice" role="status">
        {notice}
      </p>
    </form>
  );
}
