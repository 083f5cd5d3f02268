import { METHOD_NAMES, type MethodName } from '../../../contract/channels';
import type { CallEnvelope, OpenedBundle, TriageApi, TriageEvent } from '../../../contract';
import { CallFailure } from './call-failure';

const STREAM_OPEN_WAIT_MS = 2000;

function isEnvelope(body: unknown): body is CallEnvelope {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  return body.ok === true ? 'value' in body : 'error' in body;
}

/**
 * The contract over `rtc-triage serve`: `POST /api/call/<method>` per method of the table, and one
 * shared EventSource on `/api/events` for as long as anyone listens.
 */
export function createHttpClient(baseUrl = ''): TriageApi {
  const listeners = new Set<(event: TriageEvent) => void>();
  let source: EventSource | null = null;
  let streamReady: Promise<void> = Promise.resolve();

  async function call(method: MethodName, args: unknown): Promise<unknown> {
    // Events of a run started right after subscribing must not be lost to a stream still connecting.
    await streamReady;
    return send(method, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(args ?? {}),
    });
  }

  async function send(method: MethodName, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/call/${method}`, init);
    } catch (error) {
      throw new CallFailure({
        code: 'UNREACHABLE',
        message: `the RTC Triage server did not answer (${String(error)})`,
      });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new CallFailure({
        code: 'BAD_RESPONSE',
        message: `the server answered HTTP ${response.status} without a JSON body`,
      });
    }
    if (!isEnvelope(body)) {
      throw new CallFailure({
        code: 'BAD_RESPONSE',
        message: `the server answered HTTP ${response.status} with an unexpected body`,
      });
    }
    if (body.ok) return body.value;
    throw new CallFailure(body.error);
  }

  function onEvent(listener: (event: TriageEvent) => void): () => void {
    listeners.add(listener);
    if (!source) {
      const opening = new EventSource(`${baseUrl}/api/events`);
      source = opening;
      streamReady = new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        // A server that never opens the stream must not block calls: wait a short while only.
        const timer = setTimeout(done, STREAM_OPEN_WAIT_MS);
        opening.addEventListener('open', done, { once: true });
        opening.addEventListener('error', done, { once: true });
      });
      opening.onmessage = (message: MessageEvent<string>) => {
        let event: TriageEvent;
        try {
          event = JSON.parse(message.data) as TriageEvent;
        } catch {
          return;
        }
        for (const each of listeners) each(event);
      };
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && source) {
        source.close();
        source = null;
      }
    };
  }

  /** `openBundle` with the file's bytes as the body: `serve` reads them with the safe bundle reader. */
  async function openBundleFile(file: Blob): Promise<OpenedBundle | null> {
    const name = 'name' in file && typeof file.name === 'string' ? file.name : 'bundle.zip';
    return (await send('openBundle', {
      method: 'POST',
      headers: { 'Content-Type': 'application/zip', 'X-Bundle-Name': encodeURIComponent(name) },
      body: file,
    })) as OpenedBundle | null;
  }

  return {
    ...Object.fromEntries(METHOD_NAMES.map((method) => [method, (args: unknown) => call(method, args)])),
    onEvent,
    openBundleFile,
  } as TriageApi;
}
