/**
 * Issue 20: a session that fails on the joiner's end reaches the host's row with the same metrics a
 * failure on the host's end has — `peerHostLost` whichever side's peer host died — through the
 * wire's schema, bounded, and without letting the joiner declare the partner lost.
 */
import { describe, expect, it } from 'vitest';
import { PeerHostLost } from '../../src/core/isolation/pool';
import { BodySchema } from '../../src/core/partner/messages';
import { joinerFailure, pathAbort, type PathAbort } from '../../src/core/partner/path-abort';
import { classifyError } from '../../src/core/probes/classify';
import { ProbeFailure } from '../../src/core/probes/types';

/** As the host reads it: the body parsed by the frame's schema. */
const acrossTheWire = (abort: PathAbort) => BodySchema.parse(JSON.parse(JSON.stringify(abort))) as PathAbort;

describe("a joiner's path-abort", () => {
  it('a peer host lost on the joiner gives the host the same class and metrics as one lost on the host', () => {
    const lost = new PeerHostLost('connect', 'partner session', 'SIGKILL');
    const onHost = classifyError(lost, 'connect');
    const fromJoiner = joinerFailure(acrossTheWire(pathAbort(0, lost, 'connect')));

    expect(fromJoiner).toBeInstanceOf(ProbeFailure);
    expect(fromJoiner.metrics.peerHostLost).toBe(true);
    expect(fromJoiner.metrics).toEqual(onHost.metrics);
    expect(fromJoiner.errorClass).toBe(onHost.errorClass);
    expect(fromJoiner.stage).toBe(onHost.stage);
    expect(fromJoiner.message).toBe(`joiner: ${onHost.message}`);
    expect(fromJoiner.message).toMatch(
      /^joiner: the peer host process running this partner session ended \(SIGKILL\)$/,
    );
  });

  it("carries the joiner's candidate counts, names the joiner once", () => {
    const failure = new ProbeFailure('unreachable', 'ice', 'joiner: no reflexive candidate', {
      joinerHostCandidates: 2,
      joinerSrflxCandidates: 0,
    });
    const host = joinerFailure(acrossTheWire(pathAbort(1, failure, 'connect')));
    expect(host.message).toBe('joiner: no reflexive candidate');
    expect(host.metrics).toEqual({ joinerHostCandidates: 2, joinerSrflxCandidates: 0 });
  });

  it("the partner being lost is the host's to decide: partnerLost does not cross", () => {
    const failure = new ProbeFailure('aborted', 'connect', 'gone', {
      partnerLost: true,
      joinerHostCandidates: 1,
    });
    const host = joinerFailure(acrossTheWire(pathAbort(0, failure, 'connect')));
    expect(host.metrics).toEqual({ joinerHostCandidates: 1 });
  });

  it('stays within the wire schema whatever the failure holds', () => {
    const metrics = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m${i}`, 'x'.repeat(900)]));
    const failure = new ProbeFailure('internal', 's'.repeat(80), 'w'.repeat(5000), metrics);
    const body = acrossTheWire(pathAbort(3, failure, 'connect'));
    expect(body.message.length).toBe(1000);
    expect(Object.keys(body.metrics ?? {})).toHaveLength(32);
    expect(Object.values(body.metrics ?? {}).every((v) => typeof v === 'string' && v.length === 500)).toBe(
      true,
    );
  });

  it('an abort from a joiner without metrics (an older build) still parses', () => {
    const body = BodySchema.parse({
      t: 'path-abort',
      index: 0,
      errorClass: 'internal',
      stage: 'connect',
      message: 'joiner: x',
    });
    expect(joinerFailure(body as PathAbort).metrics).toEqual({});
  });
});
