import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_PREFIX,
  METHOD_NAMES,
  type CallError,
  type TriageEvent,
} from '../contract';
import type { EngineClient } from '../core/engine/client';
import type { CallResult } from '../core/engine/protocol';
import type { CallContext } from '../core/engine/protocol';
import { isRendererUrl, type RendererLocation } from './renderer-location';

/** The part of a WebFrameMain the adapter looks at. */
export interface SenderFrame {
  readonly url: string;
  readonly processId?: number;
  readonly frameToken?: string;
}

/** The part of an IpcMainInvokeEvent the adapter looks at. */
export interface InvokeEvent {
  readonly senderFrame: SenderFrame | null;
}

/** The two methods of Electron's `ipcMain` the adapter uses; tests pass a thin fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcAdapterOptions {
  /** The engine process (supervisor.ts); the adapter forwards each checked call to it. */
  engine: EngineClient;
  renderer: RendererLocation;
  /** The main frame of our window, or null while there is no window. */
  mainFrame(): SenderFrame | null;
  /** Delivers a service event to the window (IPC_EVENT_CHANNEL). */
  sendEvent(channel: string, event: TriageEvent): void;
  /** Where bundle files come from and go to: the dialogs of file-dialogs.ts. */
  files?: CallContext;
}

/**
 * The Electron face of the contract: one `ipcMain.handle` per method of the table, each checking
 * the sender (our window's main frame, showing our renderer) before the call goes to the engine
 * process, whose `dispatch` validates the arguments and calls the service. Returns a function that removes everything it registered.
 */
export function registerTriageIpc(ipcMain: IpcMainLike, options: IpcAdapterOptions): () => void {
  const channels = METHOD_NAMES.map((method) => {
    const channel = IPC_INVOKE_PREFIX + method;
    ipcMain.handle(channel, (event, args) => handleInvoke(options, method, event, args));
    return channel;
  });
  const unsubscribe = options.engine.onEvent((event) => options.sendEvent(IPC_EVENT_CHANNEL, event));
  return () => {
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

async function handleInvoke(
  options: IpcAdapterOptions,
  method: string,
  event: InvokeEvent,
  args: unknown,
): Promise<CallResult> {
  const refusal = senderRefusal(event, options);
  if (refusal) return { ok: false, error: refusal };
  return options.engine.call(method, args, options.files ?? {});
}

/** Why a sender is refused, or null when it is our window's main frame showing our renderer. */
export function senderRefusal(
  event: InvokeEvent,
  options: Pick<IpcAdapterOptions, 'mainFrame' | 'renderer'>,
): CallError | null {
  const frame = event.senderFrame;
  if (!frame) return refused('the sending frame is gone (navigated or destroyed)');
  if (!isSameFrame(frame, options.mainFrame()))
    return refused('the sender is not the main frame of the RTC Triage window');
  if (!isRendererUrl(frame.url, options.renderer)) {
    return refused(`the sender's page (${truncate(frame.url)}) is not the RTC Triage renderer`);
  }
  return null;
}

/**
 * Electron hands out one WebFrameMain object per frame, so identity normally decides; the frame's
 * process and token are the fallback should a second wrapper ever appear for the same frame.
 */
function isSameFrame(frame: SenderFrame, ours: SenderFrame | null): boolean {
  if (!ours) return false;
  if (frame === ours) return true;
  return (
    frame.processId !== undefined &&
    frame.frameToken !== undefined &&
    frame.processId === ours.processId &&
    frame.frameToken === ours.frameToken
  );
}

function refused(reason: string): CallError {
  return { code: 'SENDER_REFUSED', message: `IPC call refused: ${reason}.` };
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
