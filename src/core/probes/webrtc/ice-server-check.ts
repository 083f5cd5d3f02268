/**
 * What libwebrtc refuses in an RTCPeerConnection's iceServers, checked before the native call.
 *
 * `@roamhq/wrtc` throws "ICE server parse failed" for such a configuration and, having thrown, keeps
 * its native peer-connection factory alive: the process then never exits. So no configuration
 * reaches the constructor unchecked; the refusal names the server and what is wrong with it.
 */
import { parseIceServerUri } from '../../../contract';

/** One entry of an RTCPeerConnection's iceServers, as the probes pass it to libwebrtc. */
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

/** Why libwebrtc would refuse this ICE server, or null when it would take it. */
export function iceServerProblem(server: IceServer): string | null {
  const urls: unknown = server.urls;
  const list = Array.isArray(urls) ? (urls as unknown[]) : [urls];
  if (list.length === 0) return 'an ICE server has no URL';
  for (const url of list) {
    if (typeof url !== 'string') return `an ICE server URL must be a string, got ${typeof url}`;
    const parsed = parseIceServerUri(url);
    if ('error' in parsed) return parsed.error;
    const relay = parsed.scheme === 'turn' || parsed.scheme === 'turns';
    if (relay && !nonEmpty(server.username)) return `the TURN server ${url} has no username`;
    if (relay && !nonEmpty(server.credential)) return `the TURN server ${url} has no credential`;
  }
  return null;
}

/** The first problem among a configuration's ICE servers, or null. */
export function iceServersProblem(servers: unknown): string | null {
  if (servers === undefined) return null;
  if (!Array.isArray(servers)) return 'iceServers must be a list';
  for (const server of servers as unknown[]) {
    if (typeof server !== 'object' || server === null) return 'an ICE server must be an object';
    const problem = iceServerProblem(server as IceServer);
    if (problem) return problem;
  }
  return null;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}
