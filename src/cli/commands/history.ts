import type { HistoryReport } from '../../contract';
import { isValidTimeZone, systemTimeZone } from '../../core/analysis/local-time';
import { UsageError } from '../../core/errors';
import { parseFlags, parseWindow } from '../args';
import { HISTORY_HELP } from '../help';
import type { CliIo } from '../io';
import { openReadingService } from '../reading-service';

export async function historyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('history', argv, {
    since: { type: 'string' },
    json: { type: 'boolean' },
    db: { type: 'string' },
    tz: { type: 'string' },
    'app-failing': { type: 'boolean' },
  });
  if (values.help) {
    io.out(HISTORY_HELP);
    return 0;
  }
  const sinceMs = parseWindow('--since', values.since ?? '24h');
  const timeZone = values.tz ?? systemTimeZone();
  if (!isValidTimeZone(timeZone)) throw new UsageError(`--tz: "${timeZone}" is not an IANA time zone`);
  const service = openReadingService({ command: 'history', db: values.db, version: io.version });
  try {
    const report = service.history({ sinceMs, timeZone, appFailing: values['app-failing'] ?? false });
    io.out(values.json ? JSON.stringify(report) : formatHistory(report));
    return report.verdict.kind === 'healthy' ? 0 : 1;
  } finally {
    service.close();
  }
}

export function formatHistory(report: HistoryReport): string {
  const v = report.verdict;
  const lines = [
    `${v.title}  [${v.kind}, confidence ${Math.round(v.confidence * 100)}%]`,
    '',
    v.message,
    ...(report.note ? [report.note] : []),
    `What to do: ${v.action}`,
    `Local: ${v.local}   Cross-network: ${v.crossNetwork}`,
    '',
    `History ${report.since} .. ${report.until} (${report.timeZone}): ${report.attempts} attempts against outside servers, ${report.failures} failed`,
  ];
  if (report.patterns.length) {
    lines.push('', 'Patterns:');
    for (const p of report.patterns) lines.push(`  - [${p.kind}] ${p.summary}`);
  } else {
    lines.push('', 'Patterns: none');
  }
  if (report.targets.length) {
    lines.push('', 'Targets:');
    const width = Math.max(...report.targets.map((t) => t.id.length));
    for (const t of report.targets)
      lines.push(
        `  ${t.layer}  ${t.id.padEnd(width)}  ${String(t.attempts).padStart(7)} attempts  ${Math.round(t.failureRate * 100)}% failed`,
      );
  }
  return lines.join('\n');
}
