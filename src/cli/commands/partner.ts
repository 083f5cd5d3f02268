import type { PartnerResult } from '../../contract';
import { loadConfigFile } from '../../core/config/load';
import { defaultConfigPath } from '../../core/config/resources';
import { UsageError, errorMessage } from '../../core/errors';
import { parsePartnerCode } from '../../core/partner/code';
import { TriageService } from '../../core/service';
import { parseDuration, parseFlags } from '../args';
import { PARTNER_HELP } from '../help';
import type { CliIo } from '../io';
import { formatPartnerResult, partnerProgressLine } from '../partner-format';

/**
 * `rtc-triage partner --host` prints a code and waits; `--join CODE` meets that host. Both run the
 * same sessions and print the same table. With --json: the host's first line is `{"code", "expiresAt"}`,
 * each side's last line the result (schema rtc-triage/partner@1).
 */
export async function partnerCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('partner', argv, {
    host: { type: 'boolean' },
    join: { type: 'string' },
    config: { type: 'string' },
    db: { type: 'string' },
    json: { type: 'boolean' },
    'code-ttl': { type: 'string' },
  });
  if (values.help) {
    io.out(PARTNER_HELP);
    return 0;
  }
  if (Number(values.host === true) + Number(values.join !== undefined) !== 1)
    throw new UsageError('partner: give exactly one of --host (show a code) or --join CODE (enter one)');
  if (values['code-ttl'] !== undefined && !values.host)
    throw new UsageError('partner: --code-ttl only applies to --host');
  const codeTtlMs =
    values['code-ttl'] === undefined ? undefined : parseDuration('--code-ttl', values['code-ttl']);
  if (codeTtlMs !== undefined && (codeTtlMs < 1000 || codeTtlMs > 3_600_000))
    throw new UsageError('--code-ttl: a code may live between 1s and 60m');

  if (values.join !== undefined) {
    try {
      parsePartnerCode(values.join);
    } catch (error) {
      throw new UsageError(`partner --join: ${errorMessage(error)}`);
    }
  }

  const configPath = values.config ?? defaultConfigPath();
  const config = loadConfigFile(configPath);
  const service = new TriageService({
    config,
    configPath,
    ...(values.db ? { dbPath: values.db } : {}),
    face: 'cli',
    version: io.version,
  });
  const controller = new AbortController();
  const onSignal = () => {
    io.err('\ncancelling: telling the partner and cleaning up…');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (!values.json)
    service.onEvent((event) => {
      const line = partnerProgressLine(event);
      if (line) io.err(line);
    });
  // the same warning the partner screen shows: servers a partner on another network cannot reach
  for (const sentence of service.partnerStatus().reach.sentences) io.err(`warning: ${sentence}`);
  try {
    let result: PartnerResult;
    if (values.host) {
      const run = service.hostPartnerTest({ signal: controller.signal, ...(codeTtlMs ? { codeTtlMs } : {}) });
      const code = await run.code;
      if (code && values.json) io.out(JSON.stringify(code));
      else if (code) {
        io.out(`Partner code: ${code.code}   (works once, until ${code.expiresAt})`);
        io.out(`On the other machine run:  rtc-triage partner --join ${code.code}  (with the same --config)`);
        io.err('waiting for the partner… (Ctrl-C to stop)');
      }
      result = await run.result;
    } else {
      if (!values.json) io.err('looking for the partner…');
      result = await service.joinPartnerTest({ code: values.join as string, signal: controller.signal });
    }
    io.out(values.json ? JSON.stringify(result) : formatPartnerResult(result));
    if (result.status === 'code-rejected') {
      if (values.json) io.err(`rtc-triage: ${result.message}`);
      return 2;
    }
    return result.status === 'completed' && result.verdict?.kind === 'healthy' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    service.close();
  }
}
