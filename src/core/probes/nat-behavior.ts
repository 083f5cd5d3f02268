import { randomBytes } from 'node:crypto';
import type { Timeouts } from '../../contract';
import { udpStun } from './ice-gathering';
import { resolveHost } from './resolve';
import { StunClient, type Endpoint } from './stun/client';
import {
  Attr,
  encodeMessage,
  mappedAddress,
  messageClass,
  MessageType,
  plainAddressAttribute,
  type TransportAddress,
} from './stun/message';
import { ProbeFailure, type Probe, type ProbeContext, type ResolvedTarget } from './types';

type NatTarget = Extract<ResolvedTarget, { kind: 'stun' }>;

export type NatBehaviour =
  'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'inconclusive';

const CHANGE_IP = 0x04;
const CHANGE_PORT = 0x02;

/**
 * NatBehaviorProbe (RFC 5780 §4.3, §4.4): with a server that returns OTHER-ADDRESS, tells how this
 * network's NAT maps and filters UDP. Endpoint-independent mapping means direct P2P across networks is
 * likely; address-dependent mapping means TURN is needed. Without OTHER-ADDRESS the answer is
 * `inconclusive` — never a guess.
 */
export const natBehaviorProbe: Probe<NatTarget> = {
  name: 'nat-behavior',
  kinds: ['stun'],
  // RFC 5780 runs over UDP only: over TCP/TLS nothing would be sent, and a "success" that tested
  // nothing would count as an answer from the server (an offline machine looked half online)
  appliesTo: (target) => udpStun(target),
  // up to five transactions (one for each RFC 5780 test), each bounded by stunMs
  deadlineMs: (timeouts: Timeouts) => timeouts.stunMs * 5,
  needs: () => 'stun-binding',
  run: runNatBehavior,
};

async function runNatBehavior(target: NatTarget, ctx: ProbeContext) {
  const uri = target.parsed;
  if (uri.transport !== 'udp') {
    return inconclusive('NAT behaviour discovery needs STUN over UDP; this target uses ' + uri.transport);
  }
  ctx.stage('dns');
  const resolved = await resolveHost(uri.host, ctx.lookup, 'dns');
  const primary: Endpoint = { address: resolved.address, port: uri.port };
  ctx.stage('connect');
  // One unconnected socket: every test must leave from the same local port.
  const client = await StunClient.open(ctx, { transport: 'udp', family: resolved.family, server: primary });
  const timeoutMs = ctx.timeouts.stunMs;

  const binding = async (to: Endpoint, stage: string, change = 0) => {
    const transactionId = randomBytes(12);
    const attributes = change ? [{ type: Attr.ChangeRequest, value: Buffer.from([0, 0, 0, change]) }] : [];
    const data = encodeMessage(MessageType.BindingRequest, transactionId, attributes, true);
    const reply = await client.request(data, transactionId, { timeoutMs, stage, to });
    if (messageClass(reply.message.type) !== 'success') {
      throw new ProbeFailure(
        'server-error',
        stage,
        'the server refused a Binding request with an error response',
      );
    }
    const mapped = mappedAddress(reply.message);
    if (!mapped)
      throw new ProbeFailure('malformed-reply', stage, 'the Binding response carries no mapped address');
    return { mapped, message: reply.message };
  };
  /** A test whose silence is an answer (filtering): a timeout means "filtered", not "failed". */
  const answered = async (to: Endpoint, stage: string, change: number) => {
    try {
      await binding(to, stage, change);
      return true;
    } catch (error) {
      if (error instanceof ProbeFailure && error.errorClass === 'timeout') return false;
      throw error;
    }
  };

  ctx.stage('test-1');
  const test1 = await binding(primary, 'test-1');
  const other = plainAddressAttribute(test1.message, Attr.OtherAddress);
  ctx.emit('nat.test', { test: 1, mapped: show(test1.mapped), otherAddress: other ? show(other) : null });
  if (!other) {
    return inconclusive(
      'the server does not support RFC 5780 (no OTHER-ADDRESS in its answer)',
      test1.mapped,
    );
  }
  if (other.address === primary.address) {
    return inconclusive('the server has only one address (OTHER-ADDRESS uses the same IP)', test1.mapped);
  }

  // Mapping: does the mapped address change with the destination?
  ctx.stage('mapping-2');
  const test2 = await binding({ address: other.address, port: primary.port }, 'mapping-2');
  let mapping: NatBehaviour;
  if (same(test2.mapped, test1.mapped)) {
    mapping = 'endpoint-independent';
  } else {
    ctx.stage('mapping-3');
    const test3 = await binding({ address: other.address, port: other.port }, 'mapping-3');
    mapping = same(test3.mapped, test2.mapped) ? 'address-dependent' : 'address-and-port-dependent';
  }
  ctx.emit('nat.mapping', { mapping });

  // Filtering: will the NAT let in an answer from another address / another port?
  ctx.stage('filtering-2');
  let filtering: NatBehaviour;
  if (await answered(primary, 'filtering-2', CHANGE_IP | CHANGE_PORT)) {
    filtering = 'endpoint-independent';
  } else {
    ctx.stage('filtering-3');
    filtering = (await answered(primary, 'filtering-3', CHANGE_PORT))
      ? 'address-dependent'
      : 'address-and-port-dependent';
  }
  ctx.emit('nat.filtering', { filtering });

  return {
    stage: 'filtering',
    metrics: {
      mapping,
      filtering,
      mappedAddress: test1.mapped.address,
      mappedPort: test1.mapped.port,
      otherAddress: show(other),
      directLikely: mapping === 'endpoint-independent',
      rfc5780: true,
    },
  };
}

function inconclusive(reason: string, mapped?: TransportAddress) {
  return {
    stage: 'test-1',
    metrics: {
      mapping: 'inconclusive',
      filtering: 'inconclusive',
      reason,
      rfc5780: false,
      mappedAddress: mapped?.address ?? null,
      mappedPort: mapped?.port ?? null,
    },
  };
}

function same(a: TransportAddress, b: TransportAddress): boolean {
  return a.address === b.address && a.port === b.port;
}

function show(a: { address: string; port: number }): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
