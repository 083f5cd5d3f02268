import { readFileSync } from 'node:fs';
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
  return parseConfig(json, file);
}
