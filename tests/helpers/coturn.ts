import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { encodeMessage, MessageType } from '../../src/core/probes/stun/message';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export const TURNSERVER = '/usr/bin/turnserver';
export const hasCoturn = existsSync(TURNSERVER);

export interface Coturn {
  port: number;
  /** The TLS port when started with `tls`, else null. */
  tlsPort: number | null;
  user: string;
  password: string;
  realm: string;
  stop(): Promise<void>;
}

interface CoturnOptions {
  rfc5780?: boolean;
  relayPorts?: number;
  /** The listening and relay address (default 127.0.0.1). */
  ip?: string;
  /** Also listen and relay on this address (of the other family: a dual-stack server). */
  alsoIp?: string;
  /** Also listen for TLS (turns:/stuns:) on `tlsPort` with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
  /** The TLS port (default: a free one); coturn also accepts plain TCP there. */
  tlsPort?: number;
}

/** coturn could not bind a port that was free when it was picked (another test took it since). */
class PortTaken extends Error {}

/**
 * Starts Debian's coturn on a free loopback port (no TLS, long-term credentials) and waits until it
 * listens. A port is free when picked, not when coturn binds it (tests run in parallel): a bind that
 * fails is retried on new ports, a bounded number of times.
 */
export async function startCoturn(options: CoturnOptions = {}): Promise<Coturn> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCoturnOnce(options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 4) throw error;
    }
  }
}

/** A port free for TCP and UDP whose next port is free too (coturn's RFC 5780 alternate port). */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (port < 65535 && (await portFree(port + 1))) return port;
  }
  throw new Error('no free pair of loopback ports');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        const socket = createSocket('udp4');
        socket.once('error', () => resolve(false));
        socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
      });
    });
  });
}

async function startCoturnOnce(options: CoturnOptions): Promise<Coturn> {
  const ip = options.ip ?? '127.0.0.1';
  const port = options.rfc5780 ? await freePortPair() : await freePort();
  const tlsPort = options.tls ? (options.tlsPort ?? (await freePort())) : null;
  const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-coturn-'));
  const log = join(dir, 'turn.log');
  // a wide relay range: coturn frees relay ports lazily, so a soak of hundreds of allocations
  // would otherwise run it out of capacity (508), which the probe then rightly reports
  const relayBase = 40000 + Math.floor(Math.random() * 20000);
  const child: ChildProcess = spawn(
    TURNSERVER,
    [
      '-n',
      `--listening-ip=${ip}`,
      // a second address lets coturn answer RFC 5780 tests (OTHER-ADDRESS, CHANGE-REQUEST)
      ...(options.rfc5780 ? ['--listening-ip=127.0.0.2', `--alt-listening-port=${port + 1}`] : []),
      `--relay-ip=${ip}`,
      ...(options.alsoIp ? [`--listening-ip=${options.alsoIp}`, `--relay-ip=${options.alsoIp}`] : []),
      `--listening-port=${port}`,
      `--min-port=${relayBase}`,
      `--max-port=${relayBase + (options.relayPorts ?? 2000)}`,
      ...(options.tls && tlsPort
        ? [`--tls-listening-port=${tlsPort}`, `--cert=${options.tls.cert}`, `--pkey=${options.tls.key}`]
        : ['--no-tls']),
      '--no-dtls',
      '--no-cli',
      '--simple-log',
      `--log-file=${log}`,
      `--pidfile=${join(dir, 'turn.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
      '--realm=lab.rtc-triage',
      '--lt-cred-mech',
      '--user=labuser:labpass',
      '--allow-loopback-peers',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await answersStun(port, ip)) break;
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    // coturn retries a taken port for ever: see it in the log, stop it and pick new ports
    const taken = /Cannot bind .* socket to addr/.test(text);
    if (taken || child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
      if (taken) throw new PortTaken(`coturn could not bind its ports (${port})`);
      throw new Error(`coturn did not start on port ${port}:\n${text.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    tlsPort,
    user: 'labuser',
    password: 'labpass',
    realm: 'lab.rtc-triage',
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Ready means: a Binding request over UDP is answered and the TCP listener accepts. */
async function answersStun(port: number, ip: string): Promise<boolean> {
  const udp = await new Promise<boolean>((resolve) => {
    const socket = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    const request = encodeMessage(MessageType.BindingRequest, randomBytes(12));
    const timer = setTimeout(() => done(false), 200);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    socket.on('error', () => done(false));
    socket.on('message', () => done(true));
    socket.send(request, port, ip);
  });
  if (!udp) return false;
  return new Promise<boolean>((resolve) => {
    const conn = connect(port, ip);
    conn.once('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.once('error', () => resolve(false));
  });
}
