import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 20 "Done when": the renderer has one attempt table and one server table. Read from the
 * source: the only files that draw a `<table>` of attempts (`AttemptReport` rows) or of servers
 * (`TargetStatus` rows) are the two components, and every screen that lists attempts or servers
 * draws them with those components.
 */
const ROOT = join(__dirname, '..', '..');
const RENDERER = join(ROOT, 'src', 'renderer', 'src');

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsxFiles(path);
    return name.endsWith('.tsx') ? [relative(RENDERER, path).split('\\').join('/')] : [];
  });
}

const text = (file: string) => readFileSync(join(RENDERER, file), 'utf8');

describe('one attempt table and one server table in the renderer', () => {
  const tables = tsxFiles(RENDERER).filter((file) => /<table\b/.test(text(file)));

  it('reads the renderer', () => {
    expect(tables.length).toBeGreaterThan(2);
  });

  it('one file draws a table of attempts: AttemptTable', () => {
    expect(tables.filter((file) => /\b(AttemptReport|AttemptRow)\b/.test(text(file)))).toEqual([
      'components/AttemptTable.tsx',
    ]);
  });

  it('one file draws a table of servers: ServerTable', () => {
    expect(tables.filter((file) => /\b(TargetStatus|ServerTableRow)\b/.test(text(file)))).toEqual([
      'components/ServerTable.tsx',
    ]);
  });

  it('every screen that lists attempts or servers uses them', () => {
    for (const file of [
      'components/VerdictCard.tsx',
      'screens/attempts/AttemptsScreen.tsx',
      'screens/bundles/BundleView.tsx',
    ])
      expect(text(file), file).toMatch(/import \{ AttemptTable \} from/);
    for (const file of [
      'screens/overview/OverviewScreen.tsx',
      'screens/servers/ServersScreen.tsx',
      'screens/bundles/BundleView.tsx',
    ])
      expect(text(file), file).toMatch(/import \{ ServerTable \} from/);
  });
});
