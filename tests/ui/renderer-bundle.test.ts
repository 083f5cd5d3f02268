import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RENDERER_DIR } from '../helpers/build';

/** What the first page load may fetch, gzip-compressed (issue 21, item 8). */
const FIRST_LOAD_LIMIT = 300 * 1024;
const ASSETS = join(RENDERER_DIR, 'assets');

const read = (file: string) => readFileSync(join(ASSETS, file));
const gzipped = (file: string) => gzipSync(read(file), { level: 9 }).length;

/** A chunk and every chunk it imports statically (`from "./x.js"`), not its `import("./x.js")`. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = read(file).toString('utf8');
    for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["']\.\/([^"']+\.js)["']/g)) visit(match[1]!);
  };
  visit(entry);
  return seen;
}

/** The entry script and stylesheets index.html names (the built renderer, as `serve` sends it). */
function entryAssets(): { script: string; styles: string[] } {
  const html = readFileSync(join(RENDERER_DIR, 'index.html'), 'utf8');
  const script = /<script[^>]*type="module"[^>]*src="\.\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  if (!script) throw new Error('index.html names no module script');
  const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="\.\/assets\/([^"]+\.css)"/g)].map(
    (m) => m[1]!,
  );
  return { script, styles };
}

const ZOD_MARKER = /ZodError|\$ZodType/;

describe('the built renderer (out/renderer)', () => {
  it('loads the shell in at most 300 KB gzip: the entry chunk, its static imports and its CSS, without zod', () => {
    const { script, styles } = entryAssets();
    const chunks = [...staticClosure(script)];
    const bytes = [...chunks, ...styles].reduce((sum, file) => sum + gzipped(file), 0);
    expect(bytes).toBeLessThanOrEqual(FIRST_LOAD_LIMIT);
    for (const chunk of chunks) expect(ZOD_MARKER.test(read(chunk).toString('utf8')), chunk).toBe(false);
  });

  it('opens on the Overview within the same 300 KB: the shell plus the Overview chunk and its imports', () => {
    const { script, styles } = entryAssets();
    const overview = readdirSync(ASSETS).find((f) => /^OverviewScreen-.*\.js$/.test(f));
    expect(overview, 'the Overview screen is its own chunk (React.lazy)').toBeDefined();
    const chunks = new Set([...staticClosure(script), ...staticClosure(overview!)]);
    const bytes = [...chunks, ...styles].reduce((sum, file) => sum + gzipped(file), 0);
    expect(bytes).toBeLessThanOrEqual(FIRST_LOAD_LIMIT);
  });

  it('keeps every screen out of the entry chunk: each is loaded when first shown', () => {
    const { script } = entryAssets();
    const shell = [...staticClosure(script)];
    for (const screen of ['Overview', 'Servers', 'History', 'Attempts', 'Settings', 'Bundles']) {
      const chunk = readdirSync(ASSETS).find((f) => f.startsWith(`${screen}Screen-`));
      expect(chunk, screen).toBeDefined();
      expect(shell, screen).not.toContain(chunk);
    }
  });
});
