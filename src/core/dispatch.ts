import { isMethodName, methods, type CallError, type MethodName } from '../contract';
import { issuePath } from './config/load';
import { TriageError, errorMessage } from './errors';
import type { TriageService } from './service';

export type CallResult = { ok: true; value: unknown } | { ok: false; error: CallError };

/**
 * The engine side of every adapter: checks the method name, validates the arguments with the
 * contract's zod schema, calls the service, and turns any failure into `{ code, message, field }`.
 * Nothing a caller sends can throw out of here.
 */
export async function dispatch(
  service: TriageService,
  method: unknown,
  rawArgs: unknown,
): Promise<CallResult> {
  if (!isMethodName(method)) {
    return {
      ok: false,
      error: {
        code: 'UNKNOWN_METHOD',
        message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}`,
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
    return { ok: true, value: await call(service, method, parsed.data as never) };
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

async function call(service: TriageService, method: MethodName, args: never): Promise<unknown> {
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
