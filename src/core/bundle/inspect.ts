import type { z } from 'zod';
import {
  BUNDLE_FILES,
  BundleAttemptSchema,
  BundleCallSchema,
  BundleConfigSchema,
  BundleEnvironmentSchema,
  BundleEventSchema,
  BundleLogLineSchema,
  BundleManifestSchema,
  BundlePatternsSchema,
  BundleRunSchema,
  BundleTargetSchema,
  BundleVerdictSchema,
  type Bundle,
} from '../../contract';
import { BundleError, DEFAULT_ZIP_LIMITS, readZipEntries, type ZipLimits } from './safe-zip';

/** Deeper than any file of ours: a deeper document is an attack on whoever renders it next. */
const MAX_JSON_DEPTH = 32;

/**
 * Opens a bundle read-only: entries are read into memory within limits, every file is validated,
 * nothing is written to disk and nothing touches the local history.
 */
export async function openBundle(file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<Bundle> {
  const wanted = new Set<string>(Object.values(BUNDLE_FILES));
  const entries = await readZipEntries(file, wanted, limits);
  const reader = new EntryReader(file, entries);
  // The manifest first: a zip that is not one of ours gets that message, not a schema error deep inside.
  const manifest = reader.json(BUNDLE_FILES.manifest, BundleManifestSchema);
  return {
    manifest,
    config: reader.json(BUNDLE_FILES.config, BundleConfigSchema),
    runs: reader.ndjson(BUNDLE_FILES.runs, BundleRunSchema),
    targets: reader.ndjson(BUNDLE_FILES.targets, BundleTargetSchema),
    attempts: reader.ndjson(BUNDLE_FILES.attempts, BundleAttemptSchema),
    events: reader.ndjson(BUNDLE_FILES.events, BundleEventSchema),
    verdict: reader.json(BUNDLE_FILES.verdict, BundleVerdictSchema),
    patterns: reader.json(BUNDLE_FILES.patterns, BundlePatternsSchema),
    environment: reader.json(BUNDLE_FILES.environment, BundleEnvironmentSchema),
    // Bundles written before logs were collected have no logs.ndjson: they still open.
    logs: reader.has(BUNDLE_FILES.logs) ? reader.ndjson(BUNDLE_FILES.logs, BundleLogLineSchema) : [],
    calls: reader.has(BUNDLE_FILES.calls) ? reader.ndjson(BUNDLE_FILES.calls, BundleCallSchema) : [],
  };
}

class EntryReader {
  constructor(
    private readonly file: string,
    private readonly entries: Map<string, Buffer>,
  ) {}

  has(name: string): boolean {
    return this.entries.has(name);
  }

  private text(name: string): string {
    const data = this.entries.get(name);
    if (!data) {
      throw new BundleError(
        this.file,
        name === BUNDLE_FILES.manifest
          ? 'it has no manifest.json (is it a bundle at all?)'
          : `${name} is missing`,
        name,
      );
    }
    return new TextDecoder('utf-8', { fatal: false }).decode(data);
  }

  json<S extends z.ZodType>(name: string, schema: S): z.output<S> {
    return this.validate(name, this.parse(name, this.text(name)), schema);
  }

  ndjson<S extends z.ZodType>(name: string, schema: S): Array<z.output<S>> {
    const rows: Array<z.output<S>> = [];
    const lines = this.text(name).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.trim() === '') continue;
      rows.push(
        this.validate(`${name} line ${i + 1}`, this.parse(`${name} line ${i + 1}`, line), schema, name),
      );
    }
    return rows;
  }

  private parse(where: string, text: string): unknown {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new BundleError(this.file, `${where} is not valid JSON (${(error as Error).message})`, where);
    }
    if (jsonDepth(value) > MAX_JSON_DEPTH) {
      throw new BundleError(this.file, `${where} is nested more than ${MAX_JSON_DEPTH} levels deep`, where);
    }
    return value;
  }

  private validate<S extends z.ZodType>(
    where: string,
    value: unknown,
    schema: S,
    entry = where,
  ): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw new BundleError(
        this.file,
        `${where} does not match its schema${path}: ${issue?.message ?? 'invalid'}`,
        entry,
      );
    }
    return parsed.data;
  }
}

/** Nesting depth without recursion, so a hostile document cannot overflow the stack here either. */
function jsonDepth(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    const level = depth + 1;
    if (level > max) max = level;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, level]);
  }
  return max;
}
