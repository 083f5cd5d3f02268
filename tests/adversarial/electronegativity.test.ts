import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/build';

/**
 * Electronegativity (Doyensec) over the Electron sources and the renderer's HTML: no high or medium
 * finding. It tries to fetch Electron's release list; offline (as in tests) it says so and goes on.
 */
describe('Electron security audit', () => {
  it('Electronegativity reports no high or medium finding', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rtc-triage-eneg-')), 'findings.csv');
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/@doyensec/electronegativity/dist/index.js'),
        '-i',
        join(ROOT, 'src'),
        '-e',
        '45.4.1',
        '-r',
        '-o',
        out,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    const findings = rows.map((row) => {
      const [check, severity, confidence, file, location] = row
        .split(',')
        .map((cell) => cell.replace(/^"|"$/g, ''));
      return { check, severity, confidence, file, location };
    });
    expect(findings.filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM')).toEqual([]);
  });
});
