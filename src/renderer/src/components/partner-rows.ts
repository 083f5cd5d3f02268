import QRCode from 'qrcode';
import type { PartnerCrossNetwork, PartnerPath, PartnerResult } from '../../../contract';

const PATH_NAMES: Record<string, string> = {
  host: 'Host-only',
  srflx: 'Direct (reflexive-only)',
  relay: 'Relay-only (TURN)',
};

/** One row of the shared table, ready to show. */
export interface PartnerRowView {
  key: number;
  path: PartnerPath['path'];
  session: string;
  server: string;
  outcome: PartnerPath['outcome'];
  rtt: string;
  loss: string;
  throughput: string;
  note: string;
}

function figure(value: unknown, unit: string): string {
  return typeof value === 'number' ? `${value} ${unit}` : '—';
}

function throughput(value: unknown): string {
  if (typeof value !== 'number') return '—';
  return value >= 10_000 ? `${Math.round(value / 1000)} Mbit/s` : `${value} kbit/s`;
}

export function partnerRows(paths: readonly PartnerPath[]): PartnerRowView[] {
  return [...paths]
    .sort((a, b) => a.index - b.index)
    .map((p) => ({
      key: p.index,
      path: p.path,
      session: PATH_NAMES[p.path] ?? p.path,
      server: p.server ?? '—',
      outcome: p.outcome,
      rtt: figure(p.metrics.rttMsP50, 'ms'),
      loss: figure(p.metrics.lossPct, '%'),
      throughput: throughput(p.metrics.throughputKbps),
      note:
        p.outcome === 'success'
          ? p.metrics.sameNetwork === true
            ? 'Reached a private address: the two testers share a network'
            : ''
          : (p.message ?? ''),
    }));
}

/** The headline of a finished test, in words for a support engineer. */
export function partnerHeadline(result: PartnerResult): string {
  if (result.status !== 'completed') return result.message;
  return crossNetworkWords(result.crossNetwork);
}

export function crossNetworkWords(cross: PartnerCrossNetwork): string {
  if (cross.result === 'pass' && cross.needsTurn === true)
    return 'Connected only through the TURN relay: this network needs TURN.';
  if (cross.result === 'pass' && cross.path === 'direct')
    return 'Connected directly across the networks: no TURN needed.';
  if (cross.result === 'pass') return 'Connected through the TURN relay.';
  if (cross.result === 'fail') return 'No connection across the two networks worked.';
  return cross.sameNetwork
    ? 'The two testers only met on a shared network; nothing crossed between networks.'
    : 'No cross-network session ran.';
}

/** What the QR code says: the command the partner runs (the code carries no address). */
export function joinCommand(code: string): string {
  return `rtc-triage partner --join ${code}`;
}

/** The QR code as an SVG data URL (the CSP allows data: images). */
export async function qrDataUrl(code: string): Promise<string> {
  const svg = await QRCode.toString(joinCommand(code), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/**
 * True when what is typed can no longer become a code however it goes on (a letter outside the
 * alphabet, too many symbols): the hint shows at once instead of waiting for the field to lose focus.
 */
export function cannotBecomeCode(typed: string): boolean {
  const symbols = typed
    .toUpperCase()
    .replace(/[\s_-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return symbols.length > 8 || /[^0-9A-HJKMNP-TV-Z]/.test(symbols);
}
