/**
 * Child of tests/partner/two-nat.test.ts, run inside a fresh network namespace (it plays `pub`):
 * coturn, a GUN relay and a PeerJS server on 192.0.2.1, two testers in lanA and lanB behind two
 * NATs (tests/helpers/two-nat.ts), and the real `rtc-triage partner` CLI on each side. One JSON
 * line per scenario with both sides' results.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/contract';
import { startLabGunRelay, startLabPeerJsServer } from '../../src/lab';
import { startCoturn } from '../helpers/coturn';
import { buildTwoNat, SERVER_ADDRESS, type NatKind } from '../helpers/two-nat';
import { assertLoopbackOnly } from './harness';

const [bin, dir] = process.argv.slice(2) as [string, string];

function collect(child: ChildProcess): {
  firstLine: Promise<string>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  let stdout = '';
  let stderr = '';
  let first: (line: string) => void = () => {};
  const firstLine = new Promise<string>((resolve) => (first = resolve));
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('\n')) first(stdout.slice(0, stdout.indexOf('\n')));
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      first('');
      resolve({ code, stdout, stderr });
    }),
  );
  return { firstLine, done };
}

const lastJson = (stdout: string): unknown => {
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
  } catch {
    return null;
  }
};

async function main(): Promise<void> {
  assertLoopbackOnly();
  execFileSync('ip', ['addr', 'add', `${SERVER_ADDRESS}/32`, 'dev', 'lo']);
  const coturn = await startCoturn({ ip: SERVER_ADDRESS });
  const gun = await startLabGunRelay({ host: '0.0.0.0' });
  const peerjs = await startLabPeerJsServer({ host: '0.0.0.0' });
  try {
    const stun = { kind: 'stun' as const, id: 'pub-stun', url: `stun:${SERVER_ADDRESS}:${coturn.port}` };
    const turn = {
      kind: 'turn' as const,
      id: 'pub-turn',
      url: `turn:${SERVER_ADDRESS}:${coturn.port}?transport=udp`,
      username: coturn.user,
      credential: coturn.password,
    };
    const gunTarget = {
      kind: 'gun' as const,
      id: 'pub-gun',
      url: `http://${SERVER_ADDRESS}:${gun.port}/gun`,
    };
    const peerjsTarget = {
      kind: 'peerjs' as const,
      id: 'pub-peerjs',
      url: `http://${SERVER_ADDRESS}:${peerjs.port}/peerjs`,
      key: peerjs.key,
    };
    const timeouts = { answerMs: 3000, connectMs: 6000, iceGatheringMs: 5000 };
    const scenarios: Array<{ name: string; nats: Record<'natA' | 'natB', NatKind>; config: ConfigInput }> = [
      {
        name: 'port-preserving',
        nats: { natA: 'port-preserving', natB: 'port-preserving' },
        config: { targets: [stun, gunTarget, peerjsTarget, turn], timeouts },
      },
      {
        name: 'symmetric',
        nats: { natA: 'port-preserving', natB: 'symmetric' },
        config: { targets: [stun, peerjsTarget, gunTarget, turn], timeouts },
      },
    ];
    for (const scenario of scenarios) {
      const configFile = join(dir, `${scenario.name}.json`);
      writeFileSync(configFile, JSON.stringify(scenario.config));
      const topology = buildTwoNat(scenario.nats);
      try {
        const partner = (lan: 'lanA' | 'lanB', args: string[]) =>
          collect(
            topology.spawnIn(
              lan,
              process.execPath,
              [
                bin,
                'partner',
                ...args,
                '--json',
                '--config',
                configFile,
                '--db',
                join(dir, `${scenario.name}-${lan}.db`),
              ],
              {
                stdio: ['ignore', 'pipe', 'pipe'],
              },
            ),
          );
        const host = partner('lanA', ['--host']);
        const line = await host.firstLine;
        const code = line ? (JSON.parse(line) as { code: string }).code : 'NONE-NONE';
        const joiner = partner('lanB', ['--join', code]);
        const [h, j] = await Promise.all([host.done, joiner.done]);
        process.stdout.write(
          `${JSON.stringify({
            case: scenario.name,
            publicAddress: topology.publicAddress,
            host: { code: h.code, result: lastJson(h.stdout), stderr: h.stderr.slice(-2000) },
            join: { code: j.code, result: lastJson(j.stdout), stderr: j.stderr.slice(-2000) },
          })}\n`,
        );
      } finally {
        topology.close();
      }
    }
  } finally {
    await Promise.allSettled([coturn.stop(), gun.close(), peerjs.close()]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
