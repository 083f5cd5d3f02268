import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PeerHostPool, peerHostsFromEnv, type JobHandlers } from '../../src/core/isolation/pool';
import { readReply } from '../../src/core/isolation/protocol';
import { ProbeFailure, MACHINE_TARGET } from '../../src/core/probes/types';
import { parseConfig } from '../../src/core/config/load';
import { alive, waitUntil } from './processes';

/**
 * The pool against hosts that misbehave: small programs that speak the host protocol badly. (The real
 * host's behaviour is in peer-hosts.test.ts.)
 */
const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-hosts-'));
const pools: PeerHostPool[] = [];
afterAll(() => {
  for (const pool of pools) pool.close();
  rmSync(dir, { recursive: true, force: true });
});

function fakeHost(name: string, onRun: string): string {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(
    file,
    `process.on('message', (m) => {
      if (m.type === 'warm') process.send({ type: 'ready' });
      if (m.type === 'shutdown') process.exit(0);
      if (m.type === 'run') { ${onRun} }
    });
    process.on('disconnect', () => process.exit(0));`,
  );
  return file;
}

async function readyPool(entry: string, abortGraceMs = 200): Promise<PeerHostPool> {
  const pool = new PeerHostPool({ entry, size: 1, abortGraceMs });
  pools.push(pool);
  await pool.ready();
  return pool;
}

const REQUEST = {
  probe: 'peer-connection',
  target: MACHINE_TARGET,
  targets: [MACHINE_TARGET],
  timeouts: parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:3478' }] }, 'test').timeouts,
  correlationId: 'c-1',
  attempt: 1,
};

function recorder(): JobHandlers & { seen: string[] } {
  const seen: string[] = [];
  return { seen, emit: (name) => seen.push(`emit:${name}`), stage: (name) => seen.push(`stage:${name}`) };
}

describe('peer host pool: hosts that misbehave', () => {
  it('a host that ignores a cancel is killed after the grace period; the job fails, classified', async () => {
    const pool = await readyPool(fakeHost('deaf', '/* never answers */'));
    const [pid] = pool.pids;
    const controller = new AbortController();
    const job = pool.run(REQUEST, recorder(), controller.signal);
    expect(job).not.toBeNull();
    controller.abort();
    const error = await job?.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProbeFailure);
    expect((error as ProbeFailure).errorClass).toBe('internal');
    expect((error as ProbeFailure).message).toMatch(/ended \(SIGKILL\)/);
    await waitUntil('the deaf host to be gone', () => pid === undefined || !alive(pid));
    pool.close();
    expect(pool.ledger.counts().leaked).toBe(0);
  });

  it('messages that are not host replies are ignored; the valid reply still ends the job', async () => {
    const pool = await readyPool(
      fakeHost(
        'noisy',
        `process.send('garbage'); process.send(null); process.send([1, 2]);
         process.send({ type: 'emit', job: m.job, name: 42 });
         process.send({ type: 'emit', job: 'x', name: 'peer.connected' });
         process.send({ type: 'done', job: m.job, outcome: 'success' });
         process.send({ type: 'emit', job: m.job, name: 'peer.connected', data: { ok: true } });
         process.send({ type: 'stage', job: m.job, name: 'connect' });
         process.send({ type: 'done', job: m.job, opened: { 'peer-connection': 2 }, leaked: 0,
                        outcome: 'success', stage: 'echo', metrics: { rttMs: 1 } });`,
      ),
    );
    const handlers = recorder();
    const reply = await pool.run(REQUEST, handlers, new AbortController().signal);
    expect(reply).toMatchObject({ outcome: 'success', stage: 'echo', opened: { 'peer-connection': 2 } });
    expect(handlers.seen).toEqual(['emit:peer.connected', 'stage:connect']);
  });

  it('a host that exits during a job fails it with the exit code, and a new host replaces it', async () => {
    const pool = await readyPool(fakeHost('quitter', 'process.exit(3);'));
    const [first] = pool.pids;
    const error = await pool.run(REQUEST, recorder(), new AbortController().signal)?.then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as ProbeFailure).message).toMatch(/ended \(exit code 3\)/);
    await pool.ready(1);
    expect(pool.pids).toHaveLength(1);
    expect(pool.pids).not.toContain(first);
  });

  it('an unknown error class from a host is reported as internal, with its message', async () => {
    const pool = await readyPool(
      fakeHost(
        'odd',
        `process.send({ type: 'done', job: m.job, opened: {}, leaked: 0, outcome: 'failure',
                        errorClass: 'exploded', stage: 'connect', message: 'boom', metrics: {} });`,
      ),
    );
    const reply = await pool.run(REQUEST, recorder(), new AbortController().signal);
    expect(reply).toMatchObject({ outcome: 'failure', errorClass: 'exploded', message: 'boom' });
    const { outcomeOf } = await import('../../src/core/isolation/pool');
    expect(() => outcomeOf(reply as NonNullable<typeof reply>)).toThrow(
      expect.objectContaining({ errorClass: 'internal', message: 'boom', stage: 'connect' }),
    );
  });

  it('a job waits for a host rather than run in-process; closing or cancelling ends the wait', async () => {
    expect(PeerHostPool.available(join(dir, 'missing.cjs'))).toBe(false);
    // a host that never says ready: the job waits, and closing the pool ends it as aborted
    const mute = join(dir, 'mute.cjs');
    writeFileSync(mute, "process.on('message', () => {}); process.on('disconnect', () => process.exit(0));");
    const pool = new PeerHostPool({ entry: mute, size: 1 });
    pools.push(pool);
    const waiting = pool.run(REQUEST, recorder(), new AbortController().signal);
    const cancel = new AbortController();
    const cancelled = pool.run(REQUEST, recorder(), cancel.signal);
    cancel.abort();
    await expect(cancelled).rejects.toMatchObject({ errorClass: 'aborted' });
    pool.close();
    await expect(waiting).rejects.toMatchObject({ errorClass: 'aborted' });
    await expect(pool.run(REQUEST, recorder(), new AbortController().signal)).rejects.toMatchObject({
      errorClass: 'aborted',
    });
    expect(pool.ledger.counts().leaked).toBe(0);
  });

  it('hosts that die before they are ready fail the job (internal, with why) instead of waiting for ever', async () => {
    const dies = join(dir, 'dies.cjs');
    writeFileSync(dies, 'process.exit(7);');
    const pool = new PeerHostPool({ entry: dies, size: 1 });
    pools.push(pool);
    await expect(pool.run(REQUEST, recorder(), new AbortController().signal)).rejects.toMatchObject({
      errorClass: 'internal',
      message: expect.stringMatching(/no peer host could start .*exit code 7/),
    });
    pool.close();
    expect(pool.ledger.counts().leaked).toBe(0);
  });

  it('reads only replies of the protocol', () => {
    for (const bad of [
      null,
      'ready',
      { type: 'done', job: 1 },
      { type: 'done', job: 1, opened: {}, leaked: 0, outcome: 'failure', stage: 's' },
      { type: 'emit', job: 1.5, name: 'x' },
      { type: 'emit', job: 1, name: 'x', data: [1] },
      { type: 'stage', job: 1 },
      { type: 'hello', job: 1 },
    ])
      expect(readReply(bad), JSON.stringify(bad)).toBeNull();
    expect(readReply({ type: 'ready', extra: 1 })).toEqual({ type: 'ready' });
  });
});

describe('RTC_TRIAGE_PEER_HOSTS', () => {
  const base = { entry: '/x/peer-host.cjs' };
  it('sets how many hosts; 0 turns them off; unset keeps the default', () => {
    expect(peerHostsFromEnv(base, undefined)).toEqual(base);
    expect(peerHostsFromEnv(base, ' ')).toEqual(base);
    expect(peerHostsFromEnv(base, '3')).toEqual({ ...base, size: 3 });
    expect(peerHostsFromEnv(base, '0')).toBeUndefined();
  });

  it.each(['-1', '2.5', 'two', '17', '1e1'])('refuses %j, naming the variable', (value) => {
    expect(() => peerHostsFromEnv(base, value)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        field: 'RTC_TRIAGE_PEER_HOSTS',
        message: expect.stringContaining(`RTC_TRIAGE_PEER_HOSTS: "${value}"`),
      }),
    );
  });
});
