import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigSchema, type Config } from '../../contract/config';
import { ConfigError, TriageError, errorMessage } from '../errors';

/** Formats a zod issue path the way a user reads a JSON file: `targets.2.url`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((part) => String(part)).join('.') || '(root)';
}

/** Validates an already-parsed config object; the error names the first bad field. */
export function parseConfig(input: unknown, source = 'config'): Config {
  const result = ConfigSchema.safeParse(input);
  if (result.success) {
    assertUniqueIds(result.data, source);
    return result.data;
  }
  throw configErrorFrom(result.error, source);
}

export function configErrorFrom(error: z.ZodError, source: string): ConfigError {
  const issue = error.issues[0];
  const field = issue ? issuePath(issue.path) : '(root)';
  let message = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') message = `unknown field(s): ${issue.keys.join(', ')}`;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return new ConfigError(`${source}: ${field}: ${message}${more}`, { field });
}

function assertUniqueIds(config: Config, source: string): void {
  const seen = new Map<string, number>();
  config.targets.forEach((target, index) => {
    if (target.id === undefined) return;
    const first = seen.get(target.id);
    if (first !== undefined) {
      throw new ConfigError(
        `${source}: targets.${index}.id: "${target.id}" is already used by targets.${first}`,
        {
          field: `targets.${index}.id`,
        },
      );
    }
    seen.set(target.id, index);
  });
}

/** Reads and validates a JSON config file. */
export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TriageError('CONFIG_UNREADABLE', `cannot read config file ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON: ${errorMessage(error)}`, { field: '(root)' });
  }
  const config = parseConfig(json, file);
  // a CA file is named relative to the config that names it, and must be a PEM certificate file now,
  // not at the first turns: attempt
  if (config.tls?.caFile)
    config.tls = { caFile: checkedCaFile(resolve(dirname(file), config.tls.caFile), file) };
  return config;
}

/** The PEM text of a `tls.caFile`; a file that is missing or holds no certificate is a config error. */
export function readCaFile(path: string, source = 'config'): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${source}: tls.caFile: cannot read ${path}: ${errorMessage(error)}`, {
      field: 'tls.caFile',
    });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(
      `${source}: tls.caFile: ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      {
        field: 'tls.caFile',
      },
    );
  return text;
}

function checkedCaFile(path: string, source: string): string {
  readCaFile(path, source);
  return path;
}
