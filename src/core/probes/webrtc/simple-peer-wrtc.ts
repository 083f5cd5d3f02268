/**
 * The `wrtc` handed to simple-peer (its option for a WebRTC implementation outside a browser): the real
 * `@roamhq/wrtc`, with two differences simple-peer cannot tell apart from libwebrtc's behaviour.
 *
 * - Each RTCPeerConnection it makes is handed to `created` as well, so the peer pair can listen to it
 *   (`icecandidateerror`, the end of gathering) and read its stats without simple-peer's internals.
 * - `remoteDescription` is answered from the description last set, not from libwebrtc. simple-peer reads
 *   it once or twice for every candidate it is given, only to see whether one is set and of which type;
 *   each read of the real one blocks the JS thread on libwebrtc's signaling thread while the whole SDP
 *   comes back: about 0.5 ms a read in a CPU profile here, a fifth of a host session's reads and the
 *   dearest. The remembered one lacks the candidates added since, which simple-peer never looks at; the
 *   pair's own code gets the real connection.
 */
import type { NodePeerConnection, PeerConnectionConfig, Wrtc } from './wrtc';

interface Description {
  type: string;
  sdp: string;
}

export function simplePeerWrtc(wrtc: Wrtc, created: (pc: NodePeerConnection) => void): Wrtc {
  const RTCPeerConnection = function (config: PeerConnectionConfig) {
    const pc = new wrtc.RTCPeerConnection(config);
    created(pc);
    return rememberingRemoteDescription(pc);
  } as unknown as Wrtc['RTCPeerConnection'];
  return { ...wrtc, RTCPeerConnection };
}

function rememberingRemoteDescription(pc: NodePeerConnection): NodePeerConnection {
  let remote: Description | null = null;
  // simple-peer chains on the returned promise, so the description is remembered before it looks
  const setRemoteDescription = (description: Description) =>
    pc.setRemoteDescription(description).then(() => {
      remote = { type: description.type, sdp: description.sdp };
    });
  return new Proxy(pc, {
    get(target, property, receiver) {
      if (property === 'remoteDescription') return remote;
      if (property === 'setRemoteDescription') return setRemoteDescription;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
