/**
 * `npm run lab [-- [--chromium] SCENARIO…]`: runs every network-lab scenario (or the named ones), the
 * concurrency scenario and the partner test's scenarios, one after the other, and prints the matrix: scenario × expected verdict ×
 * got, the share of attempts that connected or cleanly aborted within 30 s, and leaked resources.
 * With `--chromium`, Debian's Chromium also gathers in each diagnosis scenario's lanA with each of its
 * STUN/TURN servers, and the agreement matrix (product vs Chromium, per server) follows.
 * Exit code 0 when every row is as expected (and every server agrees), 1 otherwise, 2 when the lab cannot run here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumAgreement, disagreements, formatAgreement, GATHERING, type AgreementRow } from './agreement';
import { chromiumSupport } from './chromium';
import { runConcurrency } from './concurrency';
import { formatMatrix } from './format';
import { PARTNER_SCENARIOS } from './partner-scenarios';
import { runPartnerScenario } from './run-partner';
import { runScenario, type ScenarioResult } from './run-scenario';
import { SCENARIOS } from './scenarios';
import { labSupport } from './support';
import { removeStaleNamespaces } from './topology';

/** LAB_REPORT_DIR=DIR keeps each scenario's report (diagnose --json) as DIR/<scenario>.json. */
function saveReport(id: string, report: unknown): void {
  const dir = process.env.LAB_REPORT_DIR;
  if (!dir || !report) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${id}.json`), JSON.stringify(report, null, 2));
}

async function main(): Promise<number> {
  const support = labSupport();
  if (!support.ok) {
    console.error(`SKIPPED: the network lab cannot run here: ${support.reason}`);
    return 2;
  }
  const stale = removeStaleNamespaces();
  if (stale.length)
    console.error(`removed ${stale.length} stale namespace(s) from a dead run: ${stale.join(', ')}`);

  const args = process.argv.slice(2);
  const withChromium = args.includes('--chromium');
  const wanted = args.filter((a) => a !== '--chromium');
  const browser = chromiumSupport();
  if (withChromium && !browser.ok) {
    console.error(`SKIPPED: --chromium: ${browser.reason}`);
    return 2;
  }
  const agreement: AgreementRow[] = [];
  const known = [...SCENARIOS.map((s) => s.id), 'concurrency', ...PARTNER_SCENARIOS.map((s) => s.id)];
  const unknown = wanted.filter((id) => !known.includes(id));
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return 2;
  }
  const selected = (id: string) => wanted.length === 0 || wanted.includes(id);

  const results: ScenarioResult[] = [];
  const started = Date.now();
  for (const [index, scenario] of SCENARIOS.entries()) {
    if (!selected(scenario.id)) continue;
    process.stderr.write(`… ${scenario.id}\n`);
    const result = await runScenario(
      scenario,
      `m${index}`,
      withChromium
        ? {
            observe: async (context) => {
              const rows = await chromiumAgreement(
                scenario.id,
                context,
                GATHERING[scenario.timing ?? 'short'],
              );
              agreement.push(...rows);
              return [];
            },
          }
        : {},
    );
    results.push(result);
    saveReport(scenario.id, result.report);
  }
  if (selected('concurrency')) {
    process.stderr.write('… concurrency\n');
    results.push(await runConcurrency('mc'));
  }
  for (const [index, scenario] of PARTNER_SCENARIOS.entries()) {
    if (!selected(scenario.id)) continue;
    process.stderr.write(`… ${scenario.id}\n`);
    results.push(await runPartnerScenario(scenario, `mp${index}`));
  }
  console.log(formatMatrix(results, Date.now() - started));
  if (withChromium) console.log(`\n${formatAgreement(agreement)}`);
  return results.every((r) => r.problems.length === 0) && disagreements(agreement).length === 0 ? 0 : 1;
}

// Ctrl-C or a kill: exit through process.exit so the topology's exit hook removes the namespaces
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: removing the lab's namespaces`);
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 3;
  },
);
