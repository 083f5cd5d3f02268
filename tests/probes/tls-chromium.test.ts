import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabCerts } from '../helpers/certs';
import { runCli } from '../helpers/cli';
import { hasCoturn, startCoturn, type Coturn } from '../helpers/coturn';
import { hasChromium, launchBrowser, type Browser } from '../ui/browser';

// Issue 18: Debian's Chromium is the oracle. The verdict "WebRTC does not trust the TURN server's
// certificate" says Chromium refuses a TURN/TLS certificate that only the config's tls.caFile trusts;
// this holds it to what Chromium does on the same coturn.

interface Gathered {
  types: string[];
  errors: Array<{ code: number; text: string; url: string }>;
}

interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

/** What the page uses of RTCPeerConnection (the Node type check has no DOM library). */
interface PagePeer {
  onicecandidate: ((e: { candidate: { type?: string } | null }) => void) | null;
  onicecandidateerror: ((e: { errorCode: number; errorText: string; url: string }) => void) | null;
  createDataChannel(label: string): unknown;
  createOffer(): Promise<unknown>;
  setLocalDescription(offer: unknown): Promise<void>;
  close(): void;
}

/** Every candidate type and icecandidateerror Chromium reports for one relay-only ICE server. */
async function gather(browser: Browser, server: IceServer): Promise<Gathered> {
  const page = await browser.open('about:blank');
  return page.evaluate(
    (ice) =>
      new Promise<Gathered>((resolve) => {
        const Peer = (globalThis as unknown as { RTCPeerConnection: new (config: unknown) => PagePeer })
          .RTCPeerConnection;
        const pc = new Peer({ iceServers: [ice], iceTransportPolicy: 'relay' });
        const out: Gathered = { types: [], errors: [] };
        const done = () => {
          pc.close();
          resolve(out);
        };
        pc.onicecandidate = (e) => {
          if (e.candidate) out.types.push(e.candidate.type ?? 'unknown');
          else done();
        };
        pc.onicecandidateerror = (e) => out.errors.push({ code: e.errorCode, text: e.errorText, url: e.url });
        setTimeout(done, 10_000);
        pc.createDataChannel('probe');
        void pc.createOffer().then((offer) => pc.setLocalDescription(offer));
      }),
    server,
  );
}

describe.skipIf(!hasCoturn || !hasChromium)('Chromium on TURN over TLS with a private CA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-tls-chromium-'));
  let turn: Coturn;
  let browser: Browser;
  beforeAll(async () => {
    turn = await startCoturn({ tls: makeLabCerts(join(dir, 'certs')).good });
    // the test network is loopback only, which Chromium's WebRTC skips unless told otherwise
    browser = await launchBrowser({ args: ['--allow-loopback-in-peer-connection'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await turn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relays over plain TURN (the harness works) but gives no relay candidate over TLS', async () => {
    const credentials = { username: turn.user, credential: turn.password };
    const plain = await gather(browser, {
      urls: `turn:127.0.0.1:${turn.port}?transport=udp`,
      ...credentials,
    });
    expect(plain.types).toContain('relay');
    const tls = await gather(browser, { urls: `turns:127.0.0.1:${turn.tlsPort}`, ...credentials });
    expect(tls.types).not.toContain('relay');
    // the control: the same server once Chromium is told to ignore certificate errors
    const lenient = await launchBrowser({
      args: ['--allow-loopback-in-peer-connection', '--ignore-certificate-errors'],
    });
    try {
      const ignored = await gather(lenient, { urls: `turns:127.0.0.1:${turn.tlsPort}`, ...credentials });
      expect(ignored.types).toContain('relay');
    } finally {
      await lenient.close();
    }
  }, 90_000);

  it("the product's verdict on the same server agrees: the certificate, not the network", async () => {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: [
          {
            kind: 'turn',
            url: `turns:127.0.0.1:${turn.tlsPort}`,
            username: turn.user,
            credential: turn.password,
          },
        ],
        tls: { caFile: 'certs/ca.pem' },
        retry: { maxAttempts: 1 },
      }),
    );
    const run = await runCli(['diagnose', '--config', config, '--db', join(dir, 'h.db'), '--json'], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    const report = JSON.parse(run.stdout) as {
      verdict: { kind: string; title: string; message: string };
      attempts: Array<{ probe: string; outcome: string; metrics: Record<string, unknown> }>;
    };
    expect(report.attempts.find((a) => a.probe === 'turn-allocation')).toMatchObject({
      outcome: 'success',
      metrics: { tlsTrustedBy: 'caFile' },
    });
    expect(report.verdict).toMatchObject({
      kind: 'infrastructure-outage',
      title: "WebRTC does not trust the TURN server's certificate",
    });
    expect(report.verdict.message).toContain('Chromium does the same');
  }, 60_000);

  it('next to a plain TURN that relays, the verdict says browsers will not use the private-CA turns: URL', async () => {
    const config = join(dir, 'mixed.json');
    const credentials = { username: turn.user, credential: turn.password };
    const tlsUrl = `turns:127.0.0.1:${turn.tlsPort}`;
    writeFileSync(
      config,
      JSON.stringify({
        targets: [
          { kind: 'turn', id: 'turn-udp', url: `turn:127.0.0.1:${turn.port}?transport=udp`, ...credentials },
          { kind: 'turn', id: 'turns-private', url: tlsUrl, ...credentials },
        ],
        tls: { caFile: 'certs/ca.pem' },
        retry: { maxAttempts: 1 },
      }),
    );
    const run = await runCli(['diagnose', '--config', config, '--db', join(dir, 'mixed.db'), '--json'], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    const report = JSON.parse(run.stdout) as {
      verdict: {
        kind: string;
        title: string;
        action: string;
        evidence: Array<{ targetId?: string; summary: string }>;
      };
    };
    // Chromium relays through the plain URL and not through the TLS one (the first test): so does the product
    expect(report.verdict.kind, run.stdout).toBe('healthy');
    // not "connects, but not reliably": the server is fine, browsers refuse its certificate
    expect(report.verdict.title).toBe(
      `Everything tested works here, but browsers will not relay through ${tlsUrl}`,
    );
    expect(report.verdict.action).toMatch(/^Give turns:.* a certificate from a publicly trusted CA/);
    expect(report.verdict.evidence).toContainEqual(
      expect.objectContaining({
        targetId: 'turns-private',
        summary: expect.stringMatching(/Chromium would not relay through it/),
      }),
    );
    // and the human face prints it
    const text = await runCli(['diagnose', '--config', config, '--db', join(dir, 'mixed.db')], {
      env: { RTC_TRIAGE_DATA_DIR: dir },
    });
    expect(text.stdout).toContain(`browsers will not relay through ${tlsUrl}`);
  }, 60_000);
});
