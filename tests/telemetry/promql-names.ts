import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TriageMetrics } from '../../src/core/telemetry';

export const RESOURCES = join(__dirname, '..', '..', 'resources');

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression reads (functions, keywords, labels and Grafana variables left out). */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    // Grafana's label_values(metric, label): the label is not a metric
    .replace(/label_values\(\s*([^,)]+),[^)]*\)/g, '($1)')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const token = match[0];
    const after = bare.slice((match.index ?? 0) + token.length).trimStart();
    if (after.startsWith('(')) continue; // a function
    if (KEYWORDS.has(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names];
}

/** Every series name RTC Triage exports: histograms as their _bucket, _sum and _count. */
export async function exportedMetricNames(): Promise<Set<string>> {
  const metrics = new TriageMetrics({ version: 'test', face: 'test' });
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    if (String(metric.type) === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s);
    else names.add(metric.name);
  }
  return names;
}

/** `expr:` of every rule in our rules.yml (one line, or a `|` block), and the recording rules' names. */
export function rulesFile(): { exprs: string[]; recorded: string[]; alerts: string[] } {
  const lines = readFileSync(join(RESOURCES, 'prometheus', 'rules.yml'), 'utf8').split('\n');
  const exprs: string[] = [];
  const recorded: string[] = [];
  const alerts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const record = /^\s*- record:\s*(\S+)/.exec(line);
    if (record) recorded.push(record[1] as string);
    const alert = /^\s*- alert:\s*(\S+)/.exec(line);
    if (alert) alerts.push(alert[1] as string);
    const expr = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!expr) continue;
    if ((expr[2] as string).trim() !== '|') {
      exprs.push(expr[2] as string);
      continue;
    }
    const indent = (expr[1] as string).length;
    const block: string[] = [];
    while (
      i + 1 < lines.length &&
      ((lines[i + 1] as string).trim() === '' || /^\s*/.exec(lines[i + 1] as string)![0].length > indent)
    ) {
      block.push((lines[++i] as string).trim());
    }
    exprs.push(block.join(' '));
  }
  return { exprs, recorded, alerts };
}

/** Every PromQL expression of the Grafana dashboard: panel targets, variables, annotations. */
export function dashboardExprs(dashboard: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown, key = ''): void => {
    if (typeof value === 'string') {
      if (key === 'expr' || key === 'definition') out.push(value);
      return;
    }
    if (Array.isArray(value)) return value.forEach((v) => walk(v, key));
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(dashboard);
  return out;
}
