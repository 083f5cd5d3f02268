import fc from 'fast-check';
import { TriageError } from '../../src/core/errors';

/**
 * Shared pieces of the property tests over config files and IPC/HTTP arguments: hostile values
 * (prototype keys, values that break `String()`, every type structured clone can carry) and the
 * check that a refusal names a field the input really has.
 */

/** Keys that break naive code, mixed with the contract's own field names so objects look near-valid. */
export const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'then',
      'kind',
      'url',
      'id',
      'targets',
      'timeouts',
      'retry',
      'runId',
      'appFailing',
      'sinceMs',
      'timeZone',
      'a.b',
      '',
    ),
  },
);

/** Anything structured clone (Electron IPC) can deliver, and more: null prototypes, boxed values, BigInt. */
export const anyValue = fc.anything({
  key: hostileKey,
  maxDepth: 4,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
});

/** Anything a JSON body or file can hold. */
export const anyJson = fc.jsonValue({ maxDepth: 5 });

/** The value at a dotted field path (`targets.2.url`), and whether it exists. */
export function lookup(root: unknown, field: string): { exists: boolean; parentExists: boolean } {
  if (field === '(root)') return { exists: true, parentExists: true };
  const parts = field.split('.');
  let node: unknown = root;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i] as string;
    const isLast = i === parts.length - 1;
    const holder = node !== null && (typeof node === 'object' || typeof node === 'function');
    const has = holder && Object.prototype.hasOwnProperty.call(node, key);
    if (!has) return { exists: false, parentExists: isLast && holder };
    node = (node as Record<string, unknown>)[key];
  }
  return { exists: true, parentExists: true };
}

/**
 * Why a refusal does not name its bad field properly, or null when it does: the field is a path
 * present in the input, or a missing field whose parent object is present, and the message says it.
 */
export function fieldProblem(input: unknown, field: string | undefined, message: string): string | null {
  if (field === undefined) return `no field named (${message})`;
  if (!message.includes(field)) return `the message does not name ${field}: ${message}`;
  const { exists, parentExists } = lookup(input, field);
  if (!exists && !parentExists) return `${field} is not in the input (${message})`;
  return null;
}

/** Every code the engine may refuse with: a typed error, never a crash. */
export function isTypedError(error: unknown): error is TriageError {
  return error instanceof TriageError;
}
