import { networkInterfaces } from 'node:os';
import { UsageError } from '../../core/errors';
import { startLab, type Lab } from '../../lab';
import { parseFlags } from '../args';
import { LAB_HELP } from '../help';
import type { CliIo } from '../io';
import { waitForStop } from '../wait-for-stop';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/;

/**
 * Loopback, or one address of this machine's own interfaces: the network lab (tests/lab/net) serves
 * the lab from a namespace's "public" address. Never a wildcard, so the lab is not exposed by accident.
 */
function listenable(host: string): boolean {
  if (LOOPBACK.test(host)) return true;
  const own = Object.values(networkInterfaces())
    .flat()
    .map((info) => info?.address);
  return own.includes(host);
}

/** Serves the embedded lab until SIGINT/SIGTERM, then closes every server. */
export async function labCommand(argv: string[], io: CliIo, stop?: AbortSignal): Promise<number> {
  const { values } = parseFlags('lab', argv, { json: { type: 'boolean' }, host: { type: 'string' } });
  if (values.help) {
    io.out(LAB_HELP);
    return 0;
  }
  const host = values.host ?? '127.0.0.1';
  if (!listenable(host))
    throw new UsageError(
      `lab: --host must be a loopback address (127.x.x.x or ::1) or an address of one of this machine's interfaces (no wildcard), got "${host}"`,
    );
  const { stopped, release } = waitForStop(stop);
  let lab: Lab | null = null;
  try {
    lab = await startLab({ host });
    if (values.json) {
      io.out(JSON.stringify(lab.config));
    } else {
      io.out(`Embedded lab running on ${host}. Targets:`);
      for (const target of lab.config.targets) io.out(`  ${target.kind.padEnd(6)} ${target.url}`);
      io.out('Use them with: rtc-triage lab --json > lab.json; rtc-triage diagnose --config lab.json');
      io.out('Press Ctrl-C to stop.');
    }
    await stopped;
  } finally {
    await lab?.close();
    release();
  }
  return 0;
}
