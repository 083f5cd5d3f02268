import type { Report, ServiceHealth, Services } from '../../../../contract';

export type Health = ServiceHealth;

const UNTESTED: Services = { p2p: 'untested', signaling: 'untested', network: 'untested' };

/**
 * What the newest diagnosis's verdict says of each service (decided in the engine with the verdict:
 * core/analysis/services.ts); a report stored before the verdict carried it shows "not tested".
 */
export function serviceStatus(report: Report | null): Services {
  return report?.verdict.services ?? UNTESTED;
}

export const HEALTH_TEXT: Record<Health, string> = {
  online: 'Online',
  degraded: 'Connection issues',
  offline: 'Service unavailable',
  untested: 'Not tested yet',
  'not-configured': 'Not configured',
};
