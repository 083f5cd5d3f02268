import { basename } from 'node:path';
import { attemptRan, matrixOf, type Bundle, type BundleComparison } from '../../contract';
import { BundleError, bundleAnswer, compareBundles, openBundle } from '../../core/bundle';
import { UsageError } from '../../core/errors';
import { parseFlags } from '../args';
import { formatMatrix } from '../matrix-format';
import type { CliIo } from '../io';

const MAX_BUNDLES = 32;

export const INSPECT_HELP = `Usage: rtc-triage inspect FILE [FILE…] [--json]

Opens diagnostic bundles read-only: nothing is extracted to disk and nothing is added to your own
history. Every file in the bundle is checked (size and entry limits, no path tricks, schemas).

With one FILE: the bundle's verdict, patterns, targets, attempts, imported calls and its recent log lines.
With several: a comparison, per server, of its status as seen from each bundle (each user's network).

Options:
  --json       print one JSON object (the bundle, or rtc-triage/bundle-comparison@1)
  -h, --help   this help

Exit codes: 0 ok, 2 bad usage or a bad bundle, 3 internal error.`;

export async function inspectCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('inspect', argv, { json: { type: 'boolean' } }, MAX_BUNDLES);
  if (values.help) {
    io.out(INSPECT_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('inspect: give the bundle FILE to open');
  const bundles: Array<{ name: string; bundle: Bundle }> = [];
  try {
    for (const file of positionals) bundles.push({ name: basename(file), bundle: await openBundle(file) });
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    io.err(`rtc-triage: ${error.message}`);
    return 2;
  }
  if (bundles.length === 1) {
    const { bundle } = bundles[0] as { bundle: Bundle };
    io.out(values.json ? JSON.stringify(bundle) : formatBundle(bundle));
  } else {
    const comparison = compareBundles(bundles);
    io.out(values.json ? JSON.stringify(comparison) : formatComparison(comparison));
  }
  return 0;
}

export function formatBundle(bundle: Bundle): string {
  const m = bundle.manifest;
  const lines = [
    `Bundle ${m.bundleId}  created ${m.createdAt}  (RTC Triage ${m.appVersion}, ${m.redacted ? 'redacted' : 'NOT redacted'})`,
    `Machine: ${m.os.type} ${m.os.release} ${m.os.arch}; Node ${m.runtime.node}` +
      (m.runtime.electron ? `, Electron ${m.runtime.electron}` : '') +
      (m.runtime.wrtc ? `, wrtc ${m.runtime.wrtc}` : ''),
    `Window: since ${m.since}: ${m.counts.runs} runs, ${m.counts.attempts} attempts, ${m.counts.events} events`,
  ];
  const last = bundle.verdict.lastReport;
  const answer = bundleAnswer(bundle.verdict);
  if (answer) {
    const { verdict } = answer;
    lines.push(
      '',
      `${verdict.title}  [${verdict.kind}, confidence ${Math.round(verdict.confidence * 100)}%]`,
      verdict.message,
      `What to do: ${verdict.action}`,
      `Local: ${verdict.local}   Cross-network: ${verdict.crossNetwork}`,
      `(from the ${answer.source})`,
    );
    if (answer.note) lines.push(answer.note);
  } else {
    lines.push('', 'No verdict was stored at export time.');
  }
  const patterns = [...bundle.patterns.lastReport, ...bundle.patterns.history];
  lines.push('', patterns.length ? 'Patterns:' : 'Patterns: none');
  const seen = new Set<string>();
  for (const p of patterns) {
    const line = `  - [${p.kind}] ${p.summary}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  const byTarget = new Map<string, { attempts: number; failures: number }>();
  for (const a of bundle.attempts) {
    const t = byTarget.get(a.targetId) ?? { attempts: 0, failures: 0 };
    if (!attemptRan(a)) continue;
    t.attempts++;
    if (a.outcome !== 'success') t.failures++;
    byTarget.set(a.targetId, t);
  }
  if (bundle.targets.length) {
    lines.push('', 'Targets:');
    const status = new Map((last?.targets ?? []).map((t) => [t.id, t.status]));
    for (const t of bundle.targets) {
      const c = byTarget.get(t.id) ?? { attempts: 0, failures: 0 };
      lines.push(
        `  ${(t.layer ?? '--').padEnd(3)} ${(status.get(t.id) ?? '-').padEnd(9)} ${t.url}  ${c.attempts} attempts, ${c.failures} failed`,
      );
    }
  }
  const matrix = formatMatrix(matrixOf(bundle.targets, bundle.attempts));
  if (matrix.length) lines.push('', ...matrix);
  const failed = bundle.attempts.filter((a) => attemptRan(a) && a.outcome !== 'success').slice(-10);
  if (failed.length) {
    lines.push('', 'Latest failed attempts:');
    for (const a of failed)
      lines.push(
        `  ${a.startedAt}  ${a.probe} → ${a.targetId}: ${a.outcome} at ${a.stage}${a.errorMessage ? ` (${a.errorMessage})` : ''}`,
      );
  }
  if (bundle.calls.length) {
    lines.push('', `Imported calls (${bundle.calls.length}):`);
    for (const call of bundle.calls.slice(-10)) {
      lines.push(`  ${call.importedAt}  ${call.source} (${call.format}): ${call.outcome}`);
      for (const summary of [...new Set(call.observations.map((o) => o.summary))].slice(0, 6))
        lines.push(`    - ${summary}`);
    }
  }
  const env = bundle.environment;
  lines.push(
    '',
    `Environment: ${env.interfaces.length} interface addresses` +
      (env.vpnHints.length
        ? `; VPN/tunnel interfaces: ${env.vpnHints.join(', ')}`
        : '; no VPN interface seen') +
      (Object.keys(env.proxies).length ? `; proxy variables: ${Object.keys(env.proxies).join(', ')}` : ''),
  );
  lines.push('', ...formatLogs(bundle));
  return lines.join('\n');
}

const LOUD = new Set(['warn', 'error', 'fatal', 40, 50, 60]);

/** The logs entry: how much was taken, then the latest warnings and errors in it. */
function formatLogs(bundle: Bundle): string[] {
  const logs = bundle.logs;
  const taken = bundle.manifest.logs;
  if (logs.length === 0)
    return [
      taken ? 'Logs: no log lines in the window.' : 'Logs: none (this bundle predates log collection).',
    ];
  const first = String(logs[0]?.time);
  const last = String(logs.at(-1)?.time);
  const loud = logs.filter((l) => LOUD.has(l.level));
  const lines = [
    `Logs: ${logs.length} lines from ${first} to ${last}` +
      (taken?.truncated ? ` (older lines cut to stay within ${taken.maxBytes} bytes)` : '') +
      `; ${loud.length} warnings/errors`,
  ];
  for (const l of loud.slice(-10)) lines.push(`  ${String(l.time)}  ${String(l.level)}  ${l.msg ?? ''}`);
  return lines;
}

export function formatComparison(comparison: BundleComparison): string {
  const lines = [`Comparing ${comparison.bundles.length} bundles:`];
  for (const b of comparison.bundles) lines.push(`  ${b.bundle}  (${b.bundleId}, ${b.createdAt})`);
  const width = Math.max(...comparison.bundles.map((b) => b.bundle.length), 6);
  for (const server of comparison.servers) {
    lines.push('', `${server.url}  [${server.kind}]  ${server.summary}`);
    for (const v of server.views)
      lines.push(
        `  ${v.bundle.padEnd(width)}  ${v.status.padEnd(9)} ${v.attempts} attempts, ${v.failures} failed` +
          (v.vpnHints.length ? `  (VPN: ${v.vpnHints.join(', ')})` : '') +
          (v.proxy ? '  (proxy)' : ''),
      );
  }
  return lines.join('\n');
}
