/**
 * A real call in Debian's Chromium, and the webrtc-internals dump Chromium writes of it (issue 22).
 * chrome://webrtc-internals is opened first (it keeps the stats history only while it is open), then
 * a page runs two RTCPeerConnections of its own through the given ICE servers, relay only, with a
 * data channel; when the call has connected (or given up), the internals page's "Create a
 * WebRTC-Internals dump" section downloads the dump, which is saved under `dir`.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Browser } from '../ui/browser';

export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

export interface CallOutcome {
  /** The caller's final connection state (`connected`, `failed`, …). */
  state: string;
  /** The data channel carried an echo both ways. */
  echoed: boolean;
  candidateTypes: string[];
  errorCodes: number[];
}

/** What the page uses of RTCPeerConnection (this file is type-checked without the DOM library). */
interface PagePeer {
  connectionState: string;
  onicecandidate: ((e: { candidate: { type?: string; toJSON(): unknown } | null }) => void) | null;
  onicecandidateerror: ((e: { errorCode: number }) => void) | null;
  onconnectionstatechange: (() => void) | null;
  onicegatheringstatechange: (() => void) | null;
  iceGatheringState: string;
  ondatachannel: ((e: { channel: PageChannel }) => void) | null;
  createDataChannel(label: string): PageChannel;
  createOffer(): Promise<unknown>;
  createAnswer(): Promise<unknown>;
  setLocalDescription(d: unknown): Promise<void>;
  setRemoteDescription(d: unknown): Promise<void>;
  addIceCandidate(c: unknown): Promise<void>;
}
interface PageChannel {
  onopen: (() => void) | null;
  onmessage: ((e: { data: string }) => void) | null;
  send(data: string): void;
}

/** Runs the call in a new page; resolves once it connected and echoed, failed, or `limitMs` passed. */
export async function runCall(
  browser: Browser,
  iceServers: IceServer[],
  limitMs: number,
): Promise<CallOutcome> {
  const page = await browser.open('about:blank');
  return page.evaluate(
    ({ servers, limit }) =>
      new Promise<CallOutcome>((resolve) => {
        const Peer = (globalThis as unknown as { RTCPeerConnection: new (c: unknown) => PagePeer })
          .RTCPeerConnection;
        const config = { iceServers: servers, iceTransportPolicy: 'relay' };
        const caller = new Peer(config);
        const callee = new Peer(config);
        const out: CallOutcome = { state: 'new', echoed: false, candidateTypes: [], errorCodes: [] };
        let settled = false;
        const finish = () => {
          if (settled) return;
          settled = true;
          out.state = caller.connectionState;
          // the connections stay open: the dump is taken while webrtc-internals still lists them live
          resolve(out);
        };
        // a side that gathered nothing and gave up (an error, or gathering ended) cannot connect
        const gave = new Map<PagePeer, { candidates: number; gaveUp: boolean }>();
        const check = () => {
          if ([...gave.values()].every((g) => g.candidates === 0 && g.gaveUp)) finish();
        };
        const wire = (from: PagePeer, to: PagePeer) => {
          const seen = { candidates: 0, gaveUp: false };
          gave.set(from, seen);
          from.onicecandidate = (e) => {
            if (!e.candidate) return;
            seen.candidates++;
            out.candidateTypes.push(e.candidate.type ?? 'unknown');
            void to.addIceCandidate(e.candidate.toJSON()).catch(() => {});
          };
          from.onicecandidateerror = (e) => {
            out.errorCodes.push(e.errorCode);
            seen.gaveUp = true;
            check();
          };
          from.onicegatheringstatechange = () => {
            if (from.iceGatheringState !== 'complete') return;
            seen.gaveUp = true;
            check();
          };
        };
        wire(caller, callee);
        wire(callee, caller);
        caller.onconnectionstatechange = () => {
          if (caller.connectionState === 'failed') finish();
        };
        callee.ondatachannel = (e) => {
          e.channel.onmessage = (m) => e.channel.send(`echo:${m.data}`);
        };
        const channel = caller.createDataChannel('call');
        let sent = 0;
        channel.onopen = () => {
          // a few messages a second for a little while, so the stats show bytes moving
          const tick = () => {
            channel.send(`ping ${sent++} ${'x'.repeat(512)}`);
            if (sent < 12) setTimeout(tick, 250);
          };
          tick();
        };
        channel.onmessage = (m) => {
          if (m.data.startsWith('echo:ping 11')) {
            out.echoed = true;
            finish();
          }
        };
        setTimeout(finish, limit);
        void (async () => {
          const offer = await caller.createOffer();
          await caller.setLocalDescription(offer);
          await callee.setRemoteDescription(offer);
          const answer = await callee.createAnswer();
          await callee.setLocalDescription(answer);
          await caller.setRemoteDescription(answer);
        })();
      }),
    { servers: iceServers, limit: limitMs },
  );
}

/** Opens chrome://webrtc-internals: do it before the call, the page keeps stats only while it is open. */
export async function openInternals(browser: Browser): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto('chrome://webrtc-internals');
  return page;
}

/** Downloads the dump from the internals page ("Create a WebRTC-Internals dump") into `dir`. */
export async function downloadDump(internals: Page, dir: string, name: string): Promise<string> {
  // the stats are polled every second: give the page two more polls of the call's final state
  await internals.waitForTimeout(2500);
  const section = internals.locator('details', { hasText: 'Create a WebRTC-Internals dump' }).first();
  await section.locator('summary').first().click();
  const downloaded = internals.waitForEvent('download');
  await section
    .locator('button', { hasText: /download/i })
    .first()
    .click();
  const download = await downloaded;
  const file = join(dir, name);
  await download.saveAs(file);
  return file;
}
