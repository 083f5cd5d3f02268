/**
 * The slice of `@roamhq/wrtc` (libwebrtc for Node) the probes use, typed here because the package's
 * own declarations point at the DOM library, which the engine does not compile against.
 *
 * The native module is loaded lazily: a process that never runs a WebRTC probe never loads
 * libwebrtc, and a machine where it cannot load gets a classified failure (L0: local-environment)
 * instead of an engine that does not start.
 */
import { ProbeFailure } from '../types';
import { iceServersProblem, type IceServer } from './ice-server-check';

export interface PeerConnectionConfig {
  iceServers: IceServer[];
  iceTransportPolicy?: 'all' | 'relay';
}

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** What libwebrtc reports through `icecandidateerror` (e.g. 401 from a TURN server, 701 unreachable). */
export interface IceCandidateErrorEvent {
  errorCode: number;
  errorText: string;
  url: string;
  address?: string | null;
  port?: number | null;
}

export interface NodeDataChannel {
  readonly readyState: string;
  close(): void;
}

export interface StatsReport {
  forEach(callback: (report: Record<string, unknown>) => void): void;
}

export interface NodePeerConnection {
  readonly iceGatheringState: string;
  readonly connectionState: string;
  readonly signalingState: string;
  createDataChannel(label: string): NodeDataChannel;
  createOffer(): Promise<{ type: string; sdp: string }>;
  setLocalDescription(description: { type: string; sdp: string }): Promise<void>;
  setRemoteDescription(description: { type: string; sdp: string }): Promise<void>;
  addEventListener(
    type: 'icecandidate',
    listener: (event: { candidate: IceCandidateInit | null }) => void,
  ): void;
  addEventListener(type: 'icecandidateerror', listener: (event: IceCandidateErrorEvent) => void): void;
  addEventListener(type: 'datachannel', listener: (event: { channel: NodeDataChannel }) => void): void;
  addEventListener(type: 'icegatheringstatechange' | 'connectionstatechange', listener: () => void): void;
  getStats(): Promise<StatsReport>;
  close(): void;
}

export interface Wrtc {
  RTCPeerConnection: new (config: PeerConnectionConfig) => NodePeerConnection;
  RTCSessionDescription: unknown;
  RTCIceCandidate: unknown;
}

let loaded: Promise<Wrtc> | null = null;
let forbidden: string | null = null;

/**
 * From now on libwebrtc is never loaded in this process: the engine process of a long-lived face,
 * whose WebRTC runs in peer hosts (issue 20). Anything that still asks for it fails, classified,
 * instead of quietly opening RTCPeerConnections next to the history and the signaling sockets.
 */
export function forbidWrtcInThisProcess(why: string): void {
  forbidden = why;
}

/** Loads libwebrtc once per process; a load failure is reported as this machine's problem. */
export function loadWrtc(stage: string): Promise<Wrtc> {
  if (forbidden !== null)
    return Promise.reject(
      new ProbeFailure('internal', stage, `WebRTC is not loaded in this process: ${forbidden}`),
    );
  loaded ??= import('@roamhq/wrtc').then((module: unknown) => {
    const candidate = (module as { default?: unknown }).default ?? module;
    if (typeof (candidate as Partial<Wrtc>).RTCPeerConnection !== 'function')
      throw new Error('@roamhq/wrtc has no RTCPeerConnection');
    return candidate as Wrtc;
  });
  return loaded.then(
    (wrtc) => checkingIceServers(wrtc, stage),
    (error: unknown) => {
      loaded = null;
      throw new ProbeFailure(
        'internal',
        stage,
        `this machine's WebRTC stack (@roamhq/wrtc) could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      );
    },
  );
}

/**
 * The native constructor behind a check of its iceServers: libwebrtc's own refusal would leave its
 * factory alive and the process unable to exit (see ice-server-check.ts), so a configuration it would
 * refuse fails here, as a classified failure of the probe's stage.
 */
function checkingIceServers(wrtc: Wrtc, stage: string): Wrtc {
  const Native = wrtc.RTCPeerConnection;
  const RTCPeerConnection = function (config: PeerConnectionConfig) {
    const problem = iceServersProblem((config as Partial<PeerConnectionConfig> | undefined)?.iceServers);
    if (problem) throw new ProbeFailure('internal', stage, `WebRTC would refuse this ICE server: ${problem}`);
    return new Native(config);
  } as unknown as Wrtc['RTCPeerConnection'];
  return { ...wrtc, RTCPeerConnection };
}

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** The `typ` of an ICE candidate line (`candidate:… typ srflx raddr …`), or null when absent. */
export function candidateType(line: string): CandidateType | null {
  const match = / typ (host|srflx|prflx|relay)(?: |$)/.exec(line);
  return match ? (match[1] as CandidateType) : null;
}

/** Keeps only the `a=candidate` lines of the given type in an SDP (the others stay untouched). */
export function sdpKeepingCandidates(sdp: string, type: CandidateType): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || candidateType(line) === type)
    .join('\r\n');
}

/**
 * libwebrtc tries every ICE server from every local socket, so an IPv6 socket "fails" against an
 * IPv4 server (701 "STUN server address is incompatible"). That is noise, not evidence.
 */
export function isFamilyMismatch(event: IceCandidateErrorEvent): boolean {
  return event.errorCode === 701 && /incompatible/i.test(event.errorText);
}

/**
 * The error that explains a missing candidate: a server's answer (401, 486 …) before a socket error
 * (701), since libwebrtc may report a 701 for the socket it closes after the server refused it.
 */
export function decidingIceError(
  errors: readonly IceCandidateErrorEvent[],
): IceCandidateErrorEvent | undefined {
  return errors.find((e) => e.errorCode !== 701) ?? errors[0];
}

/** Plain words for the ICE errors a support engineer meets (TURN codes per RFC 8656). */
export function explainIceError(event: IceCandidateErrorEvent): string {
  const code = event.errorCode;
  const what = `${code} ${event.errorText}`.trim();
  if (code === 401)
    return `the TURN server rejected the credentials (${what}): check the username and credential`;
  if (code === 403) return `the TURN server forbids this allocation (${what})`;
  if (code === 437 || code === 441)
    return `the TURN server refused the allocation (${what}): wrong credentials or a stale allocation`;
  if (code === 486) return `the TURN server's allocation quota is reached (${what})`;
  if (code === 508) return `the TURN server has no relay capacity left (${what})`;
  if (code === 701) return `the server could not be reached (${what})`;
  return `the server answered with an error (${what})`;
}

/**
 * Why a TURN server gave no relay candidate, without guessing: its own refusal explained (credentials
 * only when it said so), an unreachable server, or — no error at all — that it never answered.
 */
export function noRelayReason(error: IceCandidateErrorEvent | undefined): string {
  if (!error)
    return 'no answer and no error from it (server down, port closed or blocked on the way, or it dropped the request)';
  if (error.errorCode === 701)
    return `${explainIceError(error)}: server down, port closed or blocked on the way`;
  return explainIceError(error);
}

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
