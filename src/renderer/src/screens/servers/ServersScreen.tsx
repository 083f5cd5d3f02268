import { useState } from 'react';
import type { Target, TriageApi } from '../../../../contract';
import { describeError } from '../../api/call-failure';
import { ServerTable } from '../../components/ServerTable';
import { TransportMatrix } from '../../components/TransportMatrix';
import { useCall } from '../../hooks/useCall';
import { TargetEditor } from './TargetEditor';
import type { DraftField } from './target-draft';

const DAY_MS = 86_400_000;
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

type Editing = { mode: 'add' } | { mode: 'edit'; index: number } | null;

/**
 * `targets.3.url` from the engine → the editor's `url` when entry 3 is the one being edited. The
 * Electron bridge keeps only an error's message, so the field is also read from the message
 * (`saveTargets: targets.3.url: …`).
 */
function engineError(error: unknown, index: number): { field: DraftField | null; message: string } {
  const message = describeError(error);
  const path = (error as { field?: string }).field ?? /\btargets\.\d+\.\w+/.exec(message)?.[0];
  const match = /^targets\.(\d+)\.(\w+)$/.exec(path ?? '');
  if (!match || Number(match[1]) !== index) return { field: null, message };
  return { field: match[2] as DraftField, message: message.replace(/^.*?targets\.\d+\.\w+: /, '') };
}

/** The status page: every server's health, and the list a diagnosis tests, editable. */
export function ServersScreen({ api, refresh }: { api: TriageApi; refresh: unknown }) {
  const [generation, setGeneration] = useState(0);
  const reloadKey = `${String(refresh)}:${generation}`;
  const status = useCall(api, 'serverStatus', {}, reloadKey);
  const targets = useCall(api, 'listTargets', {}, reloadKey);
  // The RTT column's sparklines: each server's median RTT per step over the same 24 h.
  const charts = useCall(api, 'historyCharts', { sinceMs: DAY_MS, timeZone }, reloadKey);
  const trends = new Map(charts.data?.series.map((s) => [s.targetId, s.points]) ?? []);
  const [editing, setEditing] = useState<Editing>(null);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<{ field: DraftField | null; message: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const list = targets.data ?? [];
  const save = async (next: Target[], index: number, done: string) => {
    setSaving(true);
    setServerError(null);
    try {
      await api.saveTargets({ targets: next });
      setEditing(null);
      setNotice(done);
      setGeneration((n) => n + 1);
    } catch (error) {
      if (editing) setServerError(engineError(error, index));
      else setNotice(`Not saved: ${describeError(error)}`);
    } finally {
      setSaving(false);
    }
  };

  const onSave = (target: Target) => {
    if (!editing) return;
    const index = editing.mode === 'edit' ? editing.index : list.length;
    const next = [...list];
    next[index] = target;
    void save(next, index, editing.mode === 'edit' ? `Saved ${target.url}.` : `Added ${target.url}.`);
  };

  const onRemove = (index: number) => {
    const removed = list[index];
    if (!removed) return;
    void save(
      list.filter((_, i) => i !== index),
      -1,
      `Removed ${removed.url}.`,
    );
  };

  const onReset = async () => {
    setSaving(true);
    try {
      await api.resetTargets({});
      setNotice("Back to the config file's server list.");
      setEditing(null);
      setGeneration((n) => n + 1);
    } catch (error) {
      setNotice(`Could not reset: ${describeError(error)}`);
    } finally {
      setSaving(false);
    }
  };

  const takenIds = new Set(
    list
      .filter((_, i) => editing?.mode !== 'edit' || i !== editing.index)
      .map((t) => t.id)
      .filter((id): id is string => id !== undefined),
  );
  const error = status.error ?? targets.error;
  return (
    <>
      <div className="toolbar">
        <p className="toolbar-text">
          {status.data?.source === 'saved'
            ? 'A diagnosis from this app tests the list below, as edited here.'
            : "A diagnosis tests the config file's servers. Editing the list saves your own copy."}
        </p>
        <div className="buttons">
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setServerError(null);
              setEditing({ mode: 'add' });
            }}
            disabled={saving || editing !== null}
          >
            Add server
          </button>
          {status.data?.source === 'saved' && (
            <button type="button" className="secondary" onClick={() => void onReset()} disabled={saving}>
              Use the config file's list
            </button>
          )}
        </div>
      </div>
      <p className="notice" role="status">
        {notice}
      </p>
      {editing && (
        <TargetEditor
          key={editing.mode === 'edit' ? `edit-${editing.index}` : 'add'}
          initial={editing.mode === 'edit' ? list[editing.index] : undefined}
          takenIds={takenIds}
          saving={saving}
          serverError={serverError}
          onSave={onSave}
          onCancel={() => {
            setEditing(null);
            setServerError(null);
          }}
        />
      )}
      {error && (
        <p className="error" role="alert">
          Could not load the servers: {error}
        </p>
      )}
      <section className="card" aria-labelledby="servers-title">
        <h2 id="servers-title">Servers</h2>
        {status.data ? (
          <ServerTable
            servers={status.data.servers}
            columns={['rtt', 'trend', 'lastSuccess', 'failures']}
            caption="Servers, their status and the last 24 hours"
            rowTestId="server-row"
            trends={trends}
            trendWindow="last 24 h"
            actions={(server) => {
              const index = status.data?.servers.find((s) => s.id === server.id)?.configIndex ?? null;
              if (index === null) return null;
              return (
                <>
                  <button
                    type="button"
                    className="small"
                    onClick={() => {
                      setServerError(null);
                      setEditing({ mode: 'edit', index });
                    }}
                    aria-label={`Edit ${server.url}`}
                    disabled={saving}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="small"
                    onClick={() => onRemove(index)}
                    aria-label={`Remove ${server.url}`}
                    disabled={saving}
                  >
                    Remove
                  </button>
                </>
              );
            }}
          />
        ) : (
          !error && <p className="empty">Loading…</p>
        )}
      </section>
      {status.data && <TransportMatrix rows={status.data.matrix} />}
    </>
  );
}
