import { TriageError, errorMessage } from '../core/errors';
import { EXIT_CODES, exitCodeFor } from '../contract';
import { diagnoseCommand } from './commands/diagnose';
import { exportCommand } from './commands/export';
import { historyCommand } from './commands/history';
import { importCallCommand } from './commands/import-call';
import { inspectCommand } from './commands/inspect';
import { labCommand } from './commands/lab';
import { monitorCommand } from './commands/monitor';
import { partnerCommand } from './commands/partner';
import { serveCommand } from './commands/serve';
import { MAIN_HELP } from './help';
import { processIo, type CliIo } from './io';
import { version } from './version';

export const EXIT = EXIT_CODES;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  diagnose: diagnoseCommand,
  export: exportCommand,
  history: historyCommand,
  'import-call': importCallCommand,
  inspect: inspectCommand,
  lab: labCommand,
  monitor: monitorCommand,
  partner: partnerCommand,
  serve: serveCommand,
};

/** The `rtc-triage` command. Returns the exit code; never throws. */
export async function main(argv: string[], io: CliIo = processIo(version)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(MAIN_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (command === '--version' || command === '-v') {
      io.out(version);
      return EXIT.ok;
    }
    const run = COMMANDS[command];
    if (!run) {
      io.err(`rtc-triage: unknown command "${command}" (see rtc-triage --help)`);
      return EXIT.usage;
    }
    return await run(rest, io);
  } catch (error) {
    if (error instanceof TriageError) {
      io.err(`rtc-triage: ${error.message}`);
      return exitCodeFor(error.code);
    }
    io.err(`rtc-triage: internal error: ${errorMessage(error)}`);
    if (process.env.RTC_TRIAGE_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return EXIT.internal;
  }
}
