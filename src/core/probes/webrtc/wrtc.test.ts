import { describe, expect, it, vi } from 'vitest';
import { decidingIceError, noRelayReason, type IceCandidateErrorEvent } from './wrtc';

const error = (errorCode: number, errorText: string): IceCandidateErrorEvent => ({
  errorCode,
  errorText,
  url: 'turn:203.0.113.10:3478?transport=tcp',
});

describe('decidingIceError', () => {
  it("names the server's answer, not the socket error libwebrtc reports after it (network lab, TURN over TCP)", () => {
    const events = [error(401, 'Unauthorized'), error(701, 'Failed to create TURN client socket.')];
    expect(decidingIceError(events)?.errorCode).toBe(401);
  });

  it('falls back to the first socket error when no server answered', () => {
    const events = [error(701, 'first'), error(701, 'second')];
    expect(decidingIceError(events)?.errorText).toBe('first');
  });

  it('is undefined without errors', () => {
    expect(decidingIceError([])).toBeUndefined();
  });
});

describe('noRelayReason', () => {
  it('speaks of credentials only when the TURN server refused them', () => {
    expect(noRelayReason(error(401, 'Unauthorized'))).toMatch(/rejected the credentials/);
    expect(noRelayReason(error(486, 'Allocation Quota Reached'))).toMatch(/quota/);
    expect(noRelayReason(error(486, 'Allocation Quota Reached'))).not.toMatch(/credential/);
  });

  it('an unreachable or silent server is said to be unreachable or silent, not misconfigured', () => {
    for (const reason of [
      noRelayReason(error(701, 'STUN host lookup received error.')),
      noRelayReason(undefined),
    ]) {
      expect(reason).toMatch(/server down, port closed or blocked on the way/);
      expect(reason).not.toMatch(/credential/);
    }
  });
});

describe('forbidWrtcInThisProcess', () => {
  it('makes every later load of libwebrtc fail, classified, without loading it', async () => {
    vi.resetModules();
    const fresh = await import('./wrtc');
    fresh.forbidWrtcInThisProcess('the engine process runs every RTCPeerConnection in its peer hosts');
    const error = await fresh.loadWrtc('offer').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ errorClass: 'internal', stage: 'offer' });
    expect((error as Error).message).toMatch(/not loaded in this process: the engine process runs/);
  });
});
