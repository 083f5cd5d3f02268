import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CallErrorSchema,
  ERROR_CODES,
  ERROR_CODE_NAMES,
  EXIT_CODES,
  exitCodeFor,
  httpStatusFor,
} from '../../src/contract';
import { main } from '../../src/cli/index';
import type { CliIo } from '../../src/cli/io';

const SRC = join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe('error codes (contract/errors.ts)', () => {
  it('gives every code an HTTP error status and a failing exit code', () => {
    for (const code of ERROR_CODE_NAMES) {
      expect(httpStatusFor(code), code).toBeGreaterThanOrEqual(400);
      expect(httpStatusFor(code), code).toBeLessThan(600);
      expect([EXIT_CODES.usage, EXIT_CODES.internal], code).toContain(exitCodeFor(code));
      expect(ERROR_CODES[code].meaning.length, code).toBeGreaterThan(0);
    }
  });

  it('no face spells a code outside the list', () => {
    const listed = new Set<string>(ERROR_CODE_NAMES);
    const foreign: string[] = [];
    let found = 0;
    // `code: 'X'` in a call error, `new TriageError('X'`, `error.code === 'X'`
    const patterns = [
      /\bcode:\s*'([A-Z][A-Z_]+)'/g,
      /TriageError\(\s*'([A-Z][A-Z_]+)'/g,
      /\.code\s*[!=]==\s*'([A-Z][A-Z_]+)'/g,
    ];
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of patterns)
        for (const match of text.matchAll(pattern)) {
          const code = match[1] as string;
          // Node's and ws's own error codes (EADDRINUSE, ERR_*, WS_ERR_*) are not ours
          if (/^E[A-Z]+$/.test(code) || /^(WS_)?ERR_/.test(code)) continue;
          found++;
          if (!listed.has(code)) foreign.push(`${relative(SRC, file)}: ${code}`);
        }
    }
    expect(found).toBeGreaterThan(20);
    expect(foreign).toEqual([]);
  });

  it('the envelope refuses a code outside the list', () => {
    expect(CallErrorSchema.safeParse({ code: 'NOT_FOUND', message: 'x' }).success).toBe(true);
    expect(CallErrorSchema.safeParse({ code: 'NOPE', message: 'x' }).success).toBe(false);
  });

  it('the CLI exits with the code of the error it prints', async () => {
    const err: string[] = [];
    const io: CliIo = { out: () => {}, err: (line) => void err.push(line), version: 'test' };
    const code = await main(['diagnose', '--config', join(SRC, 'no-such-config.json')], io);
    expect(code).toBe(exitCodeFor('CONFIG_UNREADABLE'));
    expect(err.join('\n')).toMatch(/cannot read config file/);
  });
});
