/**
 * The Chromium agreement (issue 18, item 4): in a scenario's still-standing lab, Debian's Chromium in
 * lanA gathers ICE candidates with exactly each STUN/TURN server of the scenario's config, one server
 * per RTCPeerConnection (`relay` policy for TURN, `all` for STUN), and its per-server answer is held
 * against the product's report of the same lab: a relay candidate ⇔ the TURN target up (or degraded),
 * a srflx candidate ⇔ the STUN target up, 701 or no candidate in time ⇔ timeout/unreachable, 401 ⇔
 * credentials rejected. Where the two legitimately differ (docs/lab.md), the difference is named and
 * the product's report must say so.
 */
import type { ConfigInput, Report } from '../../../src/contract';
import { launchChromiumIn, type Gathered, type GatherRequest } from './chromium';
import type { ScenarioContext } from './run-scenario';

type Target = ConfigInput['targets'][number];

/** How a row compares: the same answer; a known, documented difference; nothing to compare; a disagreement. */
export type Agreement = 'agree' | 'differs' | 'n/a' | 'DISAGREE';

export interface AgreementRow {
  scenario: string;
  targetId: string;
  url: string;
  /** The product: status and cause, e.g. `down (timeout)`, `up`, `degraded (webrtc: unreachable)`. */
  product: string;
  /** Chromium: `relay (udp)`, `srflx`, `none (701 …)`, `refused the URL`; `; lenient: …` for TLS servers. */
  chromium: string;
  agreement: Agreement;
  /** Why, in a few words (always for differs, n/a and DISAGREE). */
  note: string;
}

/**
 * How long Chromium may gather per server, and how many times (a new RTCPeerConnection each round, for
 * the servers that gave nothing), as the product retries: in the lossless scenarios one round longer
 * than the product's own gathering limit; under 30% loss three, since a lost Binding is retransmitted
 * at 0.25, 0.75, 1.75, 3.75, 7.75 s (seen: srflx at 7.8 s).
 */
export const GATHERING = {
  short: { limitMs: 5000, rounds: 1 },
  lossy: { limitMs: 8000, rounds: 3 },
} as const;
export type Gathering = (typeof GATHERING)[keyof typeof GATHERING];

const isIceTarget = (t: Target): t is Extract<Target, { kind: 'stun' | 'turn' }> =>
  t.kind === 'stun' || t.kind === 'turn';

interface ProductView {
  status: string;
  /** auth, tls-expired, tls-name-mismatch, tls-untrusted, timeout, unreachable, refused, … or null when up. */
  cause: string | null;
  /** The allocation worked only through the config's tls.caFile. */
  trustedByCaFile: boolean;
  words: string;
}

function productView(report: Report, target: Extract<Target, { kind: 'stun' | 'turn' }>): ProductView {
  const id = target.id ?? '';
  const status = report.targets.find((t) => t.id === id)?.status ?? 'missing';
  const own = report.attempts.filter((a) => a.targetId === id);
  const first = own.filter((a) => a.probe === (target.kind === 'turn' ? 'turn-allocation' : 'stun-binding'));
  const last = first.at(-1);
  const trustedByCaFile = first.some((a) => a.outcome === 'success' && a.metrics.tlsTrustedBy === 'caFile');
  const causeOf = (a: Report['attempts'][number]): string => {
    const code = a.metrics.errorCode;
    if (code === 401 || code === 441) return 'auth';
    if (typeof a.metrics.tlsCause === 'string') return `tls-${a.metrics.tlsCause}`;
    return a.errorClass ?? a.outcome;
  };
  let cause: string | null = null;
  if (last && last.outcome !== 'success' && last.outcome !== 'skipped') cause = causeOf(last);
  else if (status !== 'up') {
    // the server answered our own probe; what failed is a WebRTC test through it
    const webrtc = own.find(
      (a) => (a.probe === 'ice-gathering' || a.probe === 'peer-connection') && a.outcome !== 'success',
    );
    if (webrtc) cause = `webrtc: ${webrtc.errorClass ?? webrtc.outcome}`;
  }
  return { status, cause, trustedByCaFile, words: cause ? `${status} (${cause})` : status };
}

interface ChromiumView {
  /** It gave the candidate that proves the server (relay for TURN, srflx for STUN). */
  proven: boolean;
  /** auth, unreachable (701), timeout (no candidate, no error in time), refused-url, code N. */
  cause: string | null;
  words: string;
}

function chromiumView(gathered: Gathered, want: 'relay' | 'srflx'): ChromiumView {
  if (gathered.refused) return { proven: false, cause: 'refused-url', words: 'refused the URL' };
  const proofs = gathered.candidates.filter((c) => c.type === want);
  if (proofs.length > 0) {
    const via = [...new Set(proofs.map((c) => c.relayProtocol ?? c.protocol))].join('/');
    return { proven: true, cause: null, words: want === 'relay' ? `relay (${via})` : 'srflx' };
  }
  const codes = [...new Set(gathered.errors.map((e) => e.errorCode))];
  const text = gathered.errors[0]?.errorText ?? '';
  if (codes.some((c) => c === 401 || c === 441))
    return { proven: false, cause: 'auth', words: `none (${codes.join('/')} ${text})` };
  if (codes.includes(701)) return { proven: false, cause: 'unreachable', words: `none (701 ${text})` };
  if (codes.length > 0)
    return { proven: false, cause: `code ${codes.join('/')}`, words: `none (${codes.join('/')})` };
  return {
    proven: false,
    cause: 'timeout',
    words: gathered.complete ? 'none (no error)' : 'none (nothing in time)',
  };
}

const NETWORK_CAUSES = new Set(['timeout', 'unreachable', 'refused', 'dns']);

/** Whether the report says that browsers will not take what the product took (a private CA). */
function reportSaysPrivateCa(report: Report, url: string): boolean {
  const text = [
    report.verdict.title,
    report.verdict.message,
    ...report.verdict.evidence.map((e) => e.summary),
  ];
  return text.some((line) => /Chromium/.test(line)) && text.some((line) => line.includes(url));
}

export function compare(
  scenario: string,
  report: Report,
  target: Extract<Target, { kind: 'stun' | 'turn' }>,
  strict: Gathered,
  lenient: Gathered | null,
): AgreementRow {
  const want = target.kind === 'turn' ? 'relay' : 'srflx';
  const product = productView(report, target);
  const chromium = chromiumView(strict, want);
  const relaxed = lenient ? chromiumView(lenient, want) : null;
  const row = (agreement: Agreement, note: string): AgreementRow => ({
    scenario,
    targetId: target.id ?? target.url,
    url: target.url,
    product: product.words,
    chromium: relaxed ? `${chromium.words}; ignoring certificate errors: ${relaxed.words}` : chromium.words,
    agreement,
    note,
  });
  const productUp = product.status === 'up' || product.status === 'degraded';

  if (chromium.cause === 'refused-url')
    return row(
      'n/a',
      'Chromium takes no STUN over TCP (RFC 7064 stun: has no transport): nothing to compare',
    );
  if (product.status === 'untested' || product.status === 'missing')
    return row('DISAGREE', `the product did not test it (${product.status})`);

  if (chromium.proven && productUp) return row('agree', '');
  if (chromium.proven)
    return row('DISAGREE', `Chromium ${want === 'relay' ? 'relays' : 'gets srflx'}; the product says down`);
  if (productUp) {
    // our own TLS client trusts the lab CA through tls.caFile; a browser checks the system store only
    if (product.trustedByCaFile && relaxed?.proven) {
      return reportSaysPrivateCa(report, target.url)
        ? row(
            'differs',
            'private CA: the product trusts it through tls.caFile, Chromium does not; the report says so',
          )
        : row(
            'DISAGREE',
            'private CA: the product trusts it through tls.caFile, and the report does not say Chromium will not',
          );
    }
    // the product's status is the server's: "degraded" when its transport matrix finds another way in
    // while the configured URL itself fails, which is what Chromium (given only that URL) sees
    const cells = report.matrix.find((r) => r.targetId === target.id)?.cells ?? [];
    const configured = cells.find((c) => c.configured);
    if (
      product.status === 'degraded' &&
      NETWORK_CAUSES.has(product.cause ?? '') &&
      configured?.state === 'down' &&
      (chromium.cause === 'unreachable' || chromium.cause === 'timeout')
    ) {
      const up = cells.filter((c) => c.state === 'up').map((c) => `${c.transport} ${c.port}/IPv${c.family}`);
      return row(
        'differs',
        `the URL itself fails (${product.cause}) as in Chromium; the server is degraded since other transports work (${up.join(', ')})`,
      );
    }
    return row('DISAGREE', `the product says ${product.status}; Chromium gets no ${want} candidate`);
  }
  // both down: the same cause?
  const cause = product.cause ?? '';
  if (cause === 'auth' || chromium.cause === 'auth')
    return cause === chromium.cause
      ? row('agree', '')
      : row(
          'DISAGREE',
          `credentials: the product says ${cause || 'nothing'}, Chromium ${chromium.cause ?? 'nothing'}`,
        );
  if (cause.startsWith('tls-')) {
    if (!lenient) return row('DISAGREE', 'a TLS cause, but no control run with certificate errors ignored');
    return relaxed?.proven
      ? row('agree', 'the certificate alone: Chromium relays once it ignores certificate errors')
      : row(
          'DISAGREE',
          `the product blames the certificate (${cause}); Chromium fails even ignoring certificate errors`,
        );
  }
  if (NETWORK_CAUSES.has(cause) && (chromium.cause === 'unreachable' || chromium.cause === 'timeout'))
    return row('agree', '');
  return row(
    'DISAGREE',
    `causes differ: the product ${cause || 'none'}, Chromium ${chromium.cause ?? 'none'}`,
  );
}

/** Runs Chromium in the scenario's lanA against every STUN/TURN target of its config, and compares. */
export async function chromiumAgreement(
  scenario: string,
  context: ScenarioContext,
  gathering: Gathering,
): Promise<AgreementRow[]> {
  const targets = context.config.targets.filter(isIceTarget);
  if (targets.length === 0) return [];
  const requests: GatherRequest[] = targets.map((t) => ({
    id: t.id ?? t.url,
    server: {
      urls: t.url,
      ...(t.kind === 'turn' && t.username !== undefined
        ? { username: t.username, credential: t.credential ?? '' }
        : {}),
    },
    policy: t.kind === 'turn' ? 'relay' : 'all',
  }));
  const wants = new Map(targets.map((t) => [t.id ?? t.url, t.kind === 'turn' ? 'relay' : 'srflx']));
  const strict = await gatherIn(context, requests, gathering, false, wants);
  // the control for TLS servers: the same gathering with certificate errors ignored
  const tlsIds = new Set(targets.filter((t) => t.url.startsWith('turns:')).map((t) => t.id ?? t.url));
  const lenient = tlsIds.size
    ? await gatherIn(
        context,
        requests.filter((r) => tlsIds.has(r.id)),
        gathering,
        true,
        wants,
      )
    : [];
  return targets.map((t) => {
    const id = t.id ?? t.url;
    const mine = strict.find((g) => g.id === id) as Gathered;
    return compare(scenario, context.report, t, mine, lenient.find((g) => g.id === id) ?? null);
  });
}

/** Whether a round settled a server: its proof candidate, a refusal, or a final answer (credentials). */
const settled = (g: Gathered, want: string | undefined) =>
  g.refused !== null ||
  g.candidates.some((c) => c.type === want) ||
  g.errors.some((e) => e.errorCode === 401 || e.errorCode === 441);

async function gatherIn(
  context: ScenarioContext,
  requests: GatherRequest[],
  gathering: Gathering,
  ignoreCertificateErrors: boolean,
  wants: ReadonlyMap<string, string>,
): Promise<Gathered[]> {
  const browser = await launchChromiumIn(context.topology, 'lanA', context.dir, { ignoreCertificateErrors });
  try {
    const results = new Map<string, Gathered>();
    let pending = requests;
    for (let round = 1; round <= gathering.rounds && pending.length > 0; round++) {
      for (const g of await browser.gather(pending, gathering.limitMs)) results.set(g.id, g);
      pending = pending.filter((r) => {
        const g = results.get(r.id);
        return !g || !settled(g, wants.get(r.id));
      });
    }
    return requests.map((r) => results.get(r.id) as Gathered);
  } finally {
    await browser.close();
  }
}

/** The rows that fail the test. */
export const disagreements = (rows: readonly AgreementRow[]) =>
  rows.filter((r) => r.agreement === 'DISAGREE');

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const MARK: Record<Agreement, string> = { agree: '=', differs: '≈', 'n/a': '·', DISAGREE: '✗' };

/**
 * The agreement matrix: scenario × server marks (= agree, ≈ a documented difference, · nothing to
 * compare, ✗ disagree), then every row in words.
 */
export function formatAgreement(rows: readonly AgreementRow[]): string {
  const servers = [...new Set(rows.map((r) => r.targetId))];
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const grid = [
    ['scenario', ...servers],
    ...scenarios.map((s) => [
      s,
      ...servers.map((id) => {
        const row = rows.find((r) => r.scenario === s && r.targetId === id);
        return row ? MARK[row.agreement] : '';
      }),
    ]),
  ];
  const detail = [
    ['scenario', 'server', 'product', 'Chromium', 'agreement'],
    ...rows.map((r) => [
      r.scenario,
      r.targetId,
      r.product,
      r.chromium,
      r.note ? `${r.agreement}: ${r.note}` : r.agreement,
    ]),
  ];
  const count = (a: Agreement) => rows.filter((r) => r.agreement === a).length;
  return [
    'Chromium agreement (= agree, ≈ documented difference, · nothing to compare, ✗ disagree):',
    table(grid),
    '',
    table(detail),
    '',
    `servers compared: ${rows.length}; agree ${count('agree')}, documented differences ${count('differs')}, not comparable ${count('n/a')}, disagree ${count('DISAGREE')}`,
  ].join('\n');
}
