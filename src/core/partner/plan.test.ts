import { describe, expect, it } from 'vitest';
import { configuredTarget } from '../config/targets';
import type { ConfiguredTarget } from '../probes/types';
import { buildPlan, joinBody, pathSetup, sideFacts } from './plan';

const stun: ConfiguredTarget = configuredTarget({
  kind: 'stun',
  url: 'stun:stun.example:3478',
  id: 's',
  layer: 'L2',
});
const turnA = configuredTarget({
  kind: 'turn',
  url: 'turn:a.example:3478?transport=udp',
  username: 'u',
  credential: 'secret',
  id: 'ta',
  layer: 'L2',
});
const turnB = configuredTarget({
  kind: 'turn',
  url: 'turn:b.example:3478?transport=udp',
  username: 'u',
  credential: 'secret',
  id: 'tb',
  layer: 'L2',
});

describe('the partner plan', () => {
  it('runs host-only, reflexive-only, then relay-only through each TURN server both configs list', () => {
    const host = sideFacts([stun, turnA, turnB], 'nat');
    const plan = buildPlan(host, joinBody(sideFacts([stun, turnA], 'nat')));
    expect(plan.map((p) => [p.index, p.path, p.server, p.skip])).toEqual([
      [0, 'host', null, null],
      [1, 'srflx', null, null],
      [2, 'relay', turnA.url, null],
      [3, 'relay', turnB.url, "only the host's config lists this TURN server"],
    ]);
  });

  it('skips the reflexive session when a side has no STUN server or neither is behind a NAT', () => {
    expect(buildPlan(sideFacts([turnA], 'unknown'), joinBody(sideFacts([stun], 'nat')))[1]?.skip).toMatch(
      /host's config/,
    );
    expect(buildPlan(sideFacts([stun], 'nat'), joinBody(sideFacts([], 'unknown')))[1]?.skip).toMatch(
      /joiner's config/,
    );
    expect(buildPlan(sideFacts([stun], 'none'), joinBody(sideFacts([stun], 'none')))[1]?.skip).toMatch(
      /neither tester is behind a NAT/,
    );
    // one side without a NAT: its host address is its reflexive one, the session still runs
    expect(buildPlan(sideFacts([stun], 'none'), joinBody(sideFacts([stun], 'nat')))[1]?.skip).toBeNull();
  });

  it('lists a TURN server only the joiner has, skipped, and says when there is none at all', () => {
    expect(
      buildPlan(sideFacts([stun], 'nat'), joinBody(sideFacts([stun, turnB], 'nat'))).at(-1),
    ).toMatchObject({
      path: 'relay',
      server: turnB.url,
      skip: "only the joiner's config lists this TURN server",
    });
    expect(buildPlan(sideFacts([stun], 'nat'), joinBody(sideFacts([stun], 'nat'))).at(-1)).toMatchObject({
      path: 'relay',
      server: null,
      skip: 'no TURN server in either config',
    });
  });

  it('never sends TURN credentials: the join carries URLs only; each side uses its own', () => {
    const join = joinBody(sideFacts([stun, turnA], 'nat'));
    expect(JSON.stringify(join)).not.toContain('secret');
    const setup = pathSetup({ index: 2, path: 'relay', server: turnA.url, skip: null }, [stun, turnA], 'nat');
    expect(setup).toEqual({
      config: {
        iceServers: [{ urls: turnA.url, username: 'u', credential: 'secret' }],
        iceTransportPolicy: 'relay',
      },
      keep: 'relay',
    });
    expect(
      pathSetup({ index: 2, path: 'relay', server: turnB.url, skip: null }, [turnA], 'nat'),
    ).toHaveProperty('missing');
    // without a NAT, the reflexive session keeps this side's host candidates
    expect(pathSetup({ index: 1, path: 'srflx', server: null, skip: null }, [stun], 'none')).toMatchObject({
      keep: 'host',
    });
    expect(pathSetup({ index: 1, path: 'srflx', server: null, skip: null }, [stun], 'nat')).toMatchObject({
      keep: 'srflx',
    });
  });
});
