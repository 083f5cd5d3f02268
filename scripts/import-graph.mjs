// The import graph of src/ (static imports and re-exports, type-only ones included: a cycle of
// types is still a cycle of design), and the cycles in it: between modules and between the
// folders of src/core. `node scripts/import-graph.mjs` prints them; tests/layering/cycles.test.ts
// holds the rules of docs/architecture.md "Import rules" against it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
    join(base, 'index.tsx'),
    base,
  ])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return null;
}

/** Module → the modules it imports, as paths relative to the repository. */
export function importGraph(srcDir = join(ROOT, 'src')) {
  const graph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set();
    for (const match of text.matchAll(IMPORT)) {
      const target = resolveImport(file, match[1] ?? match[2]);
      if (target) targets.add(relative(ROOT, target).split(sep).join('/'));
    }
    graph.set(relative(ROOT, file).split(sep).join('/'), targets);
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan): each is a cycle. */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const meta = new Map();
  const found = [];
  const visit = (node) => {
    meta.set(node, { index, low: index, onStack: true });
    index++;
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!meta.has(next)) {
        visit(next);
        meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).low);
      } else if (meta.get(next).onStack) {
        meta.get(node).low = Math.min(meta.get(node).low, meta.get(next).index);
      }
    }
    if (meta.get(node).low === meta.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        meta.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!meta.has(node)) visit(node);
  return found;
}

/** The folders of src/core (a file directly in src/core is its own node) and which import which. */
export function coreFolderGraph(graph) {
  const folderOf = (path) => {
    const match = /^src\/core\/([^/]+)\//.exec(path);
    if (match) return match[1];
    return path.startsWith('src/core/') ? path.slice('src/core/'.length) : null;
  };
  const folders = new Map();
  for (const [from, targets] of graph) {
    const a = folderOf(from);
    if (!a) continue;
    if (!folders.has(a)) folders.set(a, new Set());
    for (const to of targets) {
      const b = folderOf(to);
      if (b && b !== a) folders.get(a).add(b);
    }
  }
  return folders;
}

/** Every import from folder `a` into folder `b` of src/core, as `file -> file`. */
export function importsBetween(graph, a, b) {
  const lines = [];
  for (const [from, targets] of graph)
    if (from.startsWith(`src/core/${a}/`))
      for (const to of targets) if (to.startsWith(`src/core/${b}/`)) lines.push(`${from} -> ${to}`);
  return lines;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = importGraph();
  const moduleCycles = cycles(graph);
  console.log(`${graph.size} modules, ${moduleCycles.length} module cycles`);
  for (const cycle of moduleCycles) console.log(`  ${cycle.join(' <-> ')}`);
  const folders = coreFolderGraph(graph);
  const folderCycles = cycles(folders);
  console.log(`src/core folders: ${folderCycles.length} cycles`);
  for (const cycle of folderCycles) console.log(`  ${cycle.join(' <-> ')}`);
}
