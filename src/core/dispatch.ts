import { basename } from 'node:path';
import { isMethodName, methods, type CallError, type MethodName } from '../contract';
import { issuePath } from './config/load';
import { TriageError, errorMessage } from './errors';
import type { TriageService } from './service';

export type CallResult = { ok: true; value: unknown } | { ok: false; error: CallError };

/**
 * What only a face can provide: files. The renderer never names a path; Electron's main process asks
 * the user with a dialog, `serve` works on uploaded bytes and offers downloads. A face that lacks
 * one refuses the method. `null` from either means the user cancelled.
 */
export interface CallContext {
  /** The bundle file to open, and the name to show for it. */
  bundleToOpen?(): Promise<{ path: string; name: string } | null>;
  /** Where to write an export; `download` is the URL a browser fetches it from afterwards. */
  exportTarget?(fileName: string): Promise<{ path: string; download: string | null } | null>;
}

/**
 * The engine side of every adapter: checks the method name, validates the arguments with the
 * contract's zod schema, calls the service, and turns any failure into `{ code, message, field }`.
 * Nothing a caller sends can throw out of here.
 */
export async function dispatch(
  service: TriageService,
  method: unknown,
  rawArgs: unknown,
  context: CallContext = {},
): Promise<CallResult> {
  if (!isMethodName(method)) {
    return {
      ok: false,
      error: {
        code: 'UNKNOWN_METHOD',
        message: `unknown method ${describeMethod(method)}`,
      },
    };
  }
  const parsed = methods[method].args.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issuePath(issue.path) : '(root)';
    return {
      ok: false,
      error: {
        code: 'ARGUMENT_INVALID',
        message: `${method}: ${field}: ${issue?.message ?? 'invalid'}`,
        field,
      },
    };
  }
  try {
    return { ok: true, value: await call(service, method, parsed.data as never, context) };
  } catch (error) {
    if (error instanceof TriageError) {
      return {
        ok: false,
        error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
      };
    }
    return { ok: false, error: { code: 'INTERNAL', message: errorMessage(error) } };
  }
}

async function call(
  service: TriageService,
  method: MethodName,
  args: never,
  context: CallContext,
): Promise<unknown> {
  switch (method) {
    case 'runDiagnosis':
      return service.runDiagnosis(args);
    case 'cancelDiagnosis':
      return service.cancelDiagnosis(args);
    case 'lastReport':
      return service.lastReport();
    case 'listTargets':
      return service.listTargets();
    case 'appInfo':
      return service.appInfo();
    case 'history':
      return service.history(args);
    case 'monitorStatus':
      return service.monitorStatus();
    case 'setMonitor':
      return service.setMonitor(args);
    case 'getSettings':
      return service.getSettings();
    case 'saveSettings':
      return service.saveSettings(args);
    case 'saveTargets':
      return service.saveTargets(args);
    case 'resetTargets':
      return service.resetTargets();
    case 'serverStatus':
      return service.serverStatus(args);
    case 'historyCharts':
      return service.historyCharts(args);
    case 'listAttempts':
      return service.listAttempts(args);
    case 'attemptTimeline':
      return service.attemptTimeline(args);
    case 'openBundle':
      return openBundleCall(service, context);
    case 'exportBundle':
      return exportBundleCall(service, args, context);
    case 'partnerHost':
      return service.partnerHost(args);
    case 'partnerJoin':
      return service.partnerJoin(args);
    case 'partnerCancel':
      return service.partnerCancel();
    case 'partnerStatus':
      return service.partnerStatus();
  }
}

async function openBundleCall(service: TriageService, context: CallContext): Promise<unknown> {
  if (!context.bundleToOpen) {
    throw new TriageError(
      'UNSUPPORTED',
      'openBundle: no bundle file was given (in a browser, send the file as the request body)',
    );
  }
  const picked = await context.bundleToOpen();
  return picked ? service.openBundle(picked.path, picked.name) : null;
}

async function exportBundleCall(
  service: TriageService,
  args: { sinceMs?: number; redact?: boolean },
  context: CallContext,
): Promise<unknown> {
  if (!context.exportTarget)
    throw new TriageError('UNSUPPORTED', 'exportBundle: this face cannot save files');
  const fileName = bundleFileName(new Date());
  const target = await context.exportTarget(fileName);
  if (!target) return null;
  const manifest = await service.exportBundle({ ...args, out: target.path });
  return {
    fileName: basename(target.path),
    savedTo: target.download === null ? target.path : null,
    download: target.download,
    since: manifest.since,
    redacted: manifest.redacted,
    counts: manifest.counts,
  };
}

/** `rtc-triage-2026-01-31T09-15-00Z.zip`: sorts by time, valid on every file system. */
export function bundleFileName(now: Date): string {
  return `rtc-triage-${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z.zip`;
}

/** A caller's method name for a message: never `String(x)`, which throws for some objects. */
function describeMethod(method: unknown): string {
  if (typeof method === 'string') return JSON.stringify(method).slice(0, 80);
  return `(a ${method === null ? 'null' : Array.isArray(method) ? 'array' : typeof method}, not a name)`;
}
