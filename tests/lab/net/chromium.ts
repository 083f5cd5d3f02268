/**
 * Debian's Chromium inside one of the lab's namespaces, driven by Playwright: Playwright starts a
 * wrapper (`exec ip netns exec <ns> /usr/bin/chromium "$@"`) as the browser, so Chromium's network
 * service, its resolver (the namespace's /etc/hosts) and its WebRTC stack all live in the tester's LAN,
 * while Playwright keeps talking to it over the inherited pipe. A page then gathers ICE candidates with
 * one ICE server per RTCPeerConnection and records every candidate and icecandidateerror.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../helpers/chromium';
import type { Role, Topology } from './topology';

export { CHROMIUM };

export type ChromiumSupport = { ok: true } | { ok: false; reason: string };

export function chromiumSupport(): ChromiumSupport {
  if (!existsSync(CHROMIUM))
    return { ok: false, reason: `${CHROMIUM} is not installed (apt-get install chromium)` };
  return { ok: true };
}

export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

/** One RTCPeerConnection's gathering: with exactly one ICE server. */
export interface GatherRequest {
  id: string;
  server: IceServer;
  policy: 'all' | 'relay';
}

export interface SeenCandidate {
  type: string;
  protocol: string;
  relayProtocol: string | null;
  address: string;
}

export interface SeenError {
  errorCode: number;
  errorText: string;
  url: string;
}

export interface Gathered {
  id: string;
  candidates: SeenCandidate[];
  errors: SeenError[];
  /** Gathering ended (a null candidate) within the limit. */
  complete: boolean;
  /** The RTCPeerConnection refused the configuration (an ICE server URL Chromium does not take). */
  refused: string | null;
}

export interface LabBrowser {
  /** Gathers for every request at once, each until its gathering completes or `limitMs`. */
  gather(requests: readonly GatherRequest[], limitMs: number): Promise<Gathered[]>;
  close(): Promise<void>;
}

/** What the page uses of RTCPeerConnection (this file is type-checked without the DOM library). */
interface PagePeer {
  onicecandidate:
    | ((e: {
        candidate: { type?: string; protocol?: string; relayProtocol?: string; address?: string } | null;
      }) => void)
    | null;
  onicecandidateerror: ((e: { errorCode: number; errorText: string; url: string }) => void) | null;
  createDataChannel(label: string): unknown;
  createOffer(): Promise<unknown>;
  setLocalDescription(offer: unknown): Promise<void>;
  close(): void;
}

/** Starts Chromium in `role`'s namespace; `ignoreCertificateErrors` is the control for TLS servers. */
export async function launchChromiumIn(
  topology: Topology,
  role: Role,
  dir: string,
  options: { ignoreCertificateErrors?: boolean } = {},
): Promise<LabBrowser> {
  const wrapper = join(dir, `chromium-${role}${options.ignoreCertificateErrors ? '-lenient' : ''}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${topology.ns[role]} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const userDataDir = mkdtempSync(join(dir, 'chromium-profile-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: wrapper,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.ignoreCertificateErrors ? ['--ignore-certificate-errors'] : [])],
      timeout: 30_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    async gather(requests, limitMs) {
      const page = await context.newPage();
      try {
        return await page.evaluate(
          ({ requests: all, limitMs: limit }) =>
            Promise.all(
              all.map(
                (request) =>
                  new Promise<Gathered>((resolve) => {
                    const out: Gathered = {
                      id: request.id,
                      candidates: [],
                      errors: [],
                      complete: false,
                      refused: null,
                    };
                    const Peer = (
                      globalThis as unknown as { RTCPeerConnection: new (config: unknown) => PagePeer }
                    ).RTCPeerConnection;
                    let pc: PagePeer;
                    try {
                      pc = new Peer({ iceServers: [request.server], iceTransportPolicy: request.policy });
                    } catch (error) {
                      out.refused = String(error);
                      resolve(out);
                      return;
                    }
                    // the limit's timer is made below, before any event can arrive
                    const done = () => {
                      clearTimeout(timer);
                      pc.close();
                      resolve(out);
                    };
                    const timer = setTimeout(done, limit);
                    pc.onicecandidate = (e) => {
                      if (!e.candidate) {
                        out.complete = true;
                        done();
                        return;
                      }
                      out.candidates.push({
                        type: e.candidate.type ?? 'unknown',
                        protocol: e.candidate.protocol ?? 'unknown',
                        relayProtocol: e.candidate.relayProtocol ?? null,
                        address: e.candidate.address ?? '',
                      });
                    };
                    pc.onicecandidateerror = (e) =>
                      out.errors.push({ errorCode: e.errorCode, errorText: e.errorText, url: e.url });
                    pc.createDataChannel('probe');
                    void pc.createOffer().then((offer) => pc.setLocalDescription(offer));
                  }),
              ),
            ),
          { requests: [...requests], limitMs },
        );
      } finally {
        await page.close();
      }
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
