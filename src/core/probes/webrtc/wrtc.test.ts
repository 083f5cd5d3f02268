import { describe, expect, it } from 'vitest';
import { decidingIceError, type IceCandidateErrorEvent } from './wrtc';

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
