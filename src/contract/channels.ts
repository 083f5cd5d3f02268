/**
 * The contract's names without its schemas: what the preload and the renderer's HTTP client need,
 * kept free of zod so the sandboxed preload stays tiny. `methods.ts` checks its table against this list.
 */
export const METHOD_NAMES = [
  'runDiagnosis',
  'cancelDiagnosis',
  'lastReport',
  'listTargets',
  'appInfo',
  'history',
  'monitorStatus',
  'setMonitor',
  'getSettings',
  'saveSettings',
  'saveTargets',
  'resetTargets',
  'serverStatus',
  'historyCharts',
  'listAttempts',
  'attemptTimeline',
  'openBundle',
  'exportBundle',
  'partnerHost',
  'partnerJoin',
  'partnerCancel',
  'partnerStatus',
  'importCall',
  'listCalls',
  'getCall',
  'reproduceCall',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** IPC channel names, shared by main and preload so they cannot drift. */
export const IPC_INVOKE_PREFIX = 'triage:invoke:';
export const IPC_EVENT_CHANNEL = 'triage:event';

/**
 * The renderer's Content-Security-Policy: the Electron session header, `serve`'s header and the
 * renderer's meta tag all use this string (a test keeps the meta tag equal).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && (METHOD_NAMES as readonly string[]).includes(name);
}
