import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunSignalingProbe } from '../../src/core/probes/gun-signaling';
import { peerJsSignalingProbe } from '../../src/core/probes/peerjs-signaling';
import type { Probe } from '../../src/core/probes/types';
import {
  startLabGunRelay,
  startLabPeerJsServer,
  type LabGunRelay,
  type LabPeerJsServer,
} from '../../src/lab';
import { startHostileWs } from '../helpers/hostile-ws';
import { freePort } from '../helpers/ports';
import { runProbe } from '../helpers/probe';

const gun = gunSignalingProbe as unknown as Probe;
const peerjs = peerJsSignalingProbe as unknown as Probe;
const quick = { connectMs: 1000, offerMs: 300, answerMs: 600 };

describe('gun-signaling probe', () => {
  let relay: LabGunRelay;
  beforeAll(async () => {
    relay = await startLabGunRelay();
  });
  afterAll(() => relay.close());

  it('proves the embedded GUN relay relays, with two independent clients', async () => {
    const { attempts, events, ledger } = await runProbe(gun, { kind: 'gun', url: relay.url });
    const [a] = attempts;
    expect(a?.outcome).toBe('success');
    expect(typeof a?.metrics.connectMs).toBe('number');
    expect(typeof a?.metrics.relayRttMs).toBe('number');
    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['signal.offer.sent', 'signal.answer.received']),
    );
    expect(ledger.counts().leaked).toBe(0);
  });

  it('runs 5 signaling exchanges at once through one relay', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => runProbe(gun, { kind: 'gun', url: relay.url })),
    );
    expect(results.map((r) => r.attempts[0]?.outcome)).toEqual(Array(5).fill('success'));
    expect(results.reduce((n, r) => n + r.ledger.counts().leaked, 0)).toBe(0);
  });

  it('an unreachable relay is "refused"', async () => {
    const port = await freePort();
    const { attempts, ledger } = await runProbe(
      gun,
      { kind: 'gun', url: `http://127.0.0.1:${port}/gun` },
      { timeouts: quick },
    );
    expect(attempts[0]?.errorClass).toBe('refused');
    expect(ledger.counts().leaked).toBe(0);
  });

  it('a relay that accepts but never relays is told apart from an unreachable one', async () => {
    const mute = await startHostileWs({ onConnection: () => {} });
    const { attempts, ledger } = await runProbe(
      gun,
      { kind: 'gun', url: `${mute.url}/gun` },
      { timeouts: quick },
    );
    await mute.close();
    expect(attempts[0]?.errorClass).toBe('timeout');
    expect(attempts[0]?.stage).toBe('relay');
    expect(attempts[0]?.errorMessage).toMatch(/accepted both clients but did not relay/);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('a relay that answers garbage is "malformed-reply"', async () => {
    const noisy = await startHostileWs({
      onConnection: (ws) => ws.on('message', () => ws.send('<html>garbage</html>')),
    });
    const { attempts, ledger } = await runProbe(
      gun,
      { kind: 'gun', url: `${noisy.url}/gun` },
      { timeouts: quick },
    );
    await noisy.close();
    expect(attempts[0]?.errorClass).toBe('malformed-reply');
    expect(attempts[0]?.errorMessage).toMatch(/answers garbage/);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('an HTTP server that refuses the WebSocket upgrade is a "server-error" naming the status', async () => {
    const broken = await startHostileWs({ refuseUpgrade: 500 });
    const { attempts, ledger } = await runProbe(
      gun,
      { kind: 'gun', url: `${broken.url}/gun` },
      { timeouts: quick },
    );
    await broken.close();
    expect(attempts[0]?.errorClass).toBe('server-error');
    expect(attempts[0]?.errorMessage).toMatch(/HTTP 500/);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('is aborted cleanly mid-exchange', async () => {
    const mute = await startHostileWs({ onConnection: () => {} });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { attempts, ledger } = await runProbe(
      gun,
      { kind: 'gun', url: `${mute.url}/gun` },
      { signal: controller.signal },
    );
    await mute.close();
    expect(attempts[0]?.outcome).toBe('aborted');
    expect(ledger.counts().leaked).toBe(0);
  });
});

describe('peerjs-signaling probe', () => {
  let server: LabPeerJsServer;
  beforeAll(async () => {
    server = await startLabPeerJsServer();
  });
  afterAll(() => server.close());

  it('gets an id, opens two peers and passes a message between them through the server', async () => {
    const { attempts, events, ledger } = await runProbe(peerjs, {
      kind: 'peerjs',
      url: server.url,
      key: server.key,
    });
    const [a] = attempts;
    expect(a?.outcome).toBe('success');
    expect(typeof a?.metrics.relayRttMs).toBe('number');
    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['peerjs.id', 'peerjs.open', 'signal.offer.received']),
    );
    expect(ledger.counts().leaked).toBe(0);
  });

  it('explains an invalid key', async () => {
    const { attempts, ledger } = await runProbe(peerjs, {
      kind: 'peerjs',
      url: server.url,
      key: 'not-the-key',
    });
    expect(attempts[0]?.errorClass).toBe('server-error');
    expect(attempts[0]?.metrics.peerjsError).toBe('invalid-key');
    expect(attempts[0]?.errorMessage).toMatch(/Invalid key/);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('explains an id that is taken', async () => {
    const takes = await startHostileWs({
      httpStatus: 200,
      onConnection: (ws) => ws.send(JSON.stringify({ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } })),
    });
    const { attempts, ledger } = await runProbe(
      peerjs,
      { kind: 'peerjs', url: `${takes.url}/peerjs` },
      { timeouts: quick },
    );
    await takes.close();
    expect(attempts[0]?.errorClass).toBe('server-error');
    expect(attempts[0]?.metrics.peerjsError).toBe('id-taken');
    expect(ledger.counts().leaked).toBe(0);
  });

  it('explains a server that answers 500', async () => {
    const failing = await startHostileWs({ httpStatus: 500 });
    const { attempts, ledger } = await runProbe(
      peerjs,
      { kind: 'peerjs', url: `${failing.url}/peerjs` },
      { timeouts: quick },
    );
    await failing.close();
    expect(attempts[0]?.errorClass).toBe('server-error');
    expect(attempts[0]?.errorMessage).toMatch(/HTTP 500/);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('explains a socket closed mid-handshake', async () => {
    const closer = await startHostileWs({ httpStatus: 200, onConnection: (ws) => ws.close() });
    const { attempts, ledger } = await runProbe(
      peerjs,
      { kind: 'peerjs', url: `${closer.url}/peerjs` },
      { timeouts: quick },
    );
    await closer.close();
    expect(attempts[0]?.errorClass).toBe('refused');
    expect(attempts[0]?.errorMessage).toMatch(/closed the connection during the handshake/);
    expect(ledger.counts().leaked).toBe(0);
  });

  it('an unreachable server is "refused"', async () => {
    const port = await freePort();
    const { attempts, ledger } = await runProbe(peerjs, {
      kind: 'peerjs',
      url: `http://127.0.0.1:${port}/peerjs`,
    });
    expect(attempts[0]?.errorClass).toBe('refused');
    expect(ledger.counts().leaked).toBe(0);
  });
});
