import { useEffect, useId, useRef, useState } from 'react';
import type { BundleExport, OpenedBundle, TriageApi } from '../../../../contract';
import { describeError } from '../../api/call-failure';
import { WindowPicker } from '../../components/WindowPicker';
import { useCall } from '../../hooks/useCall';
import { BundleView } from './BundleView';

/** Starts the browser's own download of an export `serve` prepared (same origin, once). */
function download(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

/** Export this machine's history as a bundle for a ticket; open someone's bundle, read-only. */
export function BundlesScreen({ api }: { api: TriageApi }) {
  const settings = useCall(api, 'getSettings', {});
  const [sinceMs, setSinceMs] = useState(86_400_000);
  const [redact, setRedact] = useState<boolean | null>(null);
  const [busy, setBusy] = useState<'export' | 'open' | null>(null);
  const [exported, setExported] = useState<BundleExport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [opened, setOpened] = useState<OpenedBundle | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const ids = { redact: useId(), file: useId() };
  const redacting = redact ?? settings.data?.redactExports ?? true;
  const viewRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (opened) viewRef.current?.focus();
  }, [opened]);

  const runExport = async () => {
    setBusy('export');
    setError(null);
    setExported(null);
    try {
      const result = await api.exportBundle({ sinceMs, redact: redacting });
      if (result?.download) download(result.download, result.fileName);
      setExported(result);
    } catch (e) {
      setError(`The bundle could not be written: ${describeError(e)}`);
    } finally {
      setBusy(null);
    }
  };

  const open = async (file?: File) => {
    setBusy('open');
    setError(null);
    try {
      const bundle = file && api.openBundleFile ? await api.openBundleFile(file) : await api.openBundle({});
      if (bundle) setOpened(bundle);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(null);
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  if (opened) {
    return (
      <div ref={viewRef} tabIndex={-1} className="focus-target">
        <BundleView bundle={opened} onClose={() => setOpened(null)} />
      </div>
    );
  }
  return (
    <>
      <section className="card" aria-labelledby="export-title">
        <h2 id="export-title">Export a bundle</h2>
        <p>
          One zip with the runs, attempts and events of the window, the verdicts and patterns, and facts about
          this machine's network, to attach to a support ticket.
        </p>
        <div className="toolbar">
          <WindowPicker value={sinceMs} onChange={setSinceMs} />
          <div className="option">
            <input
              id={ids.redact}
              type="checkbox"
              checked={redacting}
              onChange={(event) => setRedact(event.target.checked)}
            />
            <label htmlFor={ids.redact}>Redact IP addresses and machine names</label>
          </div>
          <button
            type="button"
            className="primary-small"
            onClick={() => void runExport()}
            disabled={busy !== null}
          >
            {busy === 'export' ? 'Exporting…' : 'Export bundle'}
          </button>
        </div>
        <p className="notice" role="status" data-testid="export-result">
          {exported &&
            `${exported.savedTo ? `Saved to ${exported.savedTo}` : `Downloading ${exported.fileName}`}: ${exported.counts.runs} runs, ${exported.counts.attempts} attempts${exported.redacted ? ', redacted' : ', NOT redacted'}.`}
        </p>
      </section>
      <section className="card" aria-labelledby="open-title">
        <h2 id="open-title">Open a bundle</h2>
        <p>
          See a bundle's verdict, patterns, servers and attempts. It stays separate from your own history.
        </p>
        {api.openBundleFile ? (
          <div className="field">
            <label htmlFor={ids.file}>Bundle file (.zip)</label>
            <input
              id={ids.file}
              ref={fileInput}
              type="file"
              accept=".zip,application/zip"
              disabled={busy !== null}
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) void open(file);
              }}
            />
          </div>
        ) : (
          <button type="button" className="secondary" onClick={() => void open()} disabled={busy !== null}>
            {busy === 'open' ? 'Opening…' : 'Open bundle…'}
          </button>
        )}
      </section>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
