import { basename } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Config } from '../../contract';
import { CallDumpError, type TurnCredentials } from '../../core/calls';
import { loadConfigFile } from '../../core/config/load';
import { UsageError } from '../../core/errors';
import { TriageService } from '../../core/service';
import { parseFlags } from '../args';
import { formatCall, formatReproduction } from '../call-format';
import { progressLine } from '../format';
import type { CliIo } from '../io';

export const IMPORT_CALL_HELP = `Usage: rtc-triage import-call FILE [--json] [--db FILE] [--reproduce] [--config FILE]

Imports a user's real call: a chrome://webrtc-internals dump ("Create a WebRTC-Internals dump",
gzipped or not) or an rtcstats dump (JSON lines). For each RTCPeerConnection it extracts the ICE
servers (credentials are never stored), the candidates each server gave, icecandidateerror codes,
the ICE and connection states, the selected pair, RTT and bytes, and says in plain sentences what
went wrong (no relay candidate although TURN was configured, 701 errors, ICE failed after N pairs,
dropped after N seconds, …). The call is stored in the history (redacted like a bundle) and goes
into diagnostic bundles. Details: docs/calls.md.

With --reproduce, the isolated tests then run against exactly the call's ICE servers from this
machine, and the call is shown beside them with the layer that explains it ("the call failed
because UDP to your TURN server is blocked on this network; TCP 3478 works"). TURN credentials come
from the dump (rtcstats keeps the username only; webrtc-internals none), else from --config (a turn
target on the same host and port), else you are asked for them when this is a terminal.

Options:
  --json          print one JSON object: the call (rtc-triage/call@1), or with --reproduce the call,
                  the tests' report and the verdict line (rtc-triage/call-reproduction@1)
  --db FILE       history database to write (default: the user data folder)
  --reproduce     run the isolated tests against the call's ICE servers
  --config FILE   credentials for the call's TURN servers, and timeouts/retry for the tests
  -h, --help      show this help

Exit codes: 0 the call connected (with --reproduce: the tests found nothing wrong), 1 the call did not
work (or the tests found a problem), 2 bad usage or a dump that cannot be imported, 3 internal error.`;

export async function importCallCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    'import-call',
    argv,
    {
      json: { type: 'boolean' },
      db: { type: 'string' },
      reproduce: { type: 'boolean' },
      config: { type: 'string' },
    },
    1,
  );
  if (values.help) {
    io.out(IMPORT_CALL_HELP);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined) throw new UsageError('import-call: give the dump FILE to import');
  const config: Config | null = values.config ? loadConfigFile(values.config) : null;
  const service = new TriageService({
    ...(config ? { config, configPath: values.config } : {}),
    ...(values.db ? { dbPath: values.db } : {}),
    face: 'cli',
    version: io.version,
    telemetry: false,
  });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let call;
    try {
      call = service.importCall(file, basename(file));
    } catch (error) {
      if (!(error instanceof CallDumpError)) throw error;
      io.err(`rtc-triage: ${error.message}`);
      return 2;
    }
    if (!values.reproduce) {
      io.out(values.json ? JSON.stringify(call) : formatCall(call));
      return call.outcome === 'connected' ? 0 : 1;
    }
    if (!values.json) {
      io.err(`call ${call.id} imported; reproducing it against its ICE servers…`);
      service.onEvent((event) => {
        const line = progressLine(event);
        if (line) io.err(line);
      });
    }
    const result = await service.reproduceCall({
      callId: call.id,
      config,
      ask: askOnTerminal(io),
      signal: controller.signal,
    });
    io.out(values.json ? JSON.stringify(result) : formatReproduction(result));
    return result.report.verdict.kind === 'healthy' && call.outcome === 'connected' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    service.close();
  }
}

/** Asks for a TURN server's credentials when stdin is a terminal; otherwise nothing is asked. */
function askOnTerminal(io: CliIo): ((url: string) => Promise<TurnCredentials | null>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (url) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      io.err(`The dump has no credentials for ${url} (leave empty to skip it).`);
      const username = (await rl.question('  TURN username: ')).trim();
      if (!username) return null;
      const credential = (await rl.question('  TURN credential: ')).trim();
      return credential ? { username, credential } : null;
    } finally {
      rl.close();
    }
  };
}
