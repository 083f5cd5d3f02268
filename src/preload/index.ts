import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
// Only the zod-free channel list is imported as a value: the sandboxed preload stays small.
import { IPC_EVENT_CHANNEL, IPC_INVOKE_PREFIX, METHOD_NAMES, type MethodName } from '../contract/channels';
import type { CallEnvelope, CallError, TriageApi, TriageEvent } from '../contract';

/**
 * A failed call as an Error carrying the contract's code and field. Note: contextBridge copies an
 * Error into the page by its message only, so the UI must never depend on `code` being there.
 */
function callFailure(error: CallError): Error {
  return Object.assign(new Error(error.message), {
    name: 'CallError',
    code: error.code,
    ...(error.field ? { field: error.field } : {}),
  });
}

async function invoke(method: MethodName, args: unknown): Promise<unknown> {
  const envelope = (await ipcRenderer.invoke(IPC_INVOKE_PREFIX + method, args ?? {})) as CallEnvelope;
  if (envelope.ok) return envelope.value;
  throw callFailure(envelope.error);
}

function onEvent(listener: (event: TriageEvent) => void): () => void {
  // Only the event crosses into the page: the IpcRendererEvent (and its `sender`) never does.
  const wrapped = (_event: IpcRendererEvent, payload: TriageEvent) => listener(payload);
  ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
  };
}

const api = {
  ...Object.fromEntries(METHOD_NAMES.map((method) => [method, (args: unknown) => invoke(method, args)])),
  onEvent,
} as TriageApi;

contextBridge.exposeInMainWorld('triage', api);
