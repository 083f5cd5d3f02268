import { describe, expect, it } from 'vitest';
import { coreFolderGraph, cycles, importGraph, importsBetween } from '../../scripts/import-graph.mjs';

/**
 * The import rules inside src/core (docs/architecture.md "Import rules"; eslint.config.mjs refuses
 * the imports themselves): the store never imports analysis, the runner never imports isolation,
 * core/evidence and core/ledger import nothing of the engine, and nothing inside src/core or
 * src/contract imports itself round a cycle (`node scripts/import-graph.mjs` lists any).
 */
describe('import rules inside src/core', () => {
  const graph = importGraph();
  const folders = coreFolderGraph(graph);

  it('reads the whole source tree', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(folders.get('service.ts')?.has('runner')).toBe(true);
  });

  it('analysis reads the store; the store imports no analysis', () => {
    expect(importsBetween(graph, 'analysis', 'store').length).toBeGreaterThan(0);
    expect(importsBetween(graph, 'store', 'analysis')).toEqual([]);
  });

  it('isolation uses the runner; the runner imports no isolation', () => {
    expect(importsBetween(graph, 'isolation', 'runner').length).toBeGreaterThan(0);
    expect(importsBetween(graph, 'runner', 'isolation')).toEqual([]);
  });

  it("isolation runs the partner sessions' WebRTC sides; partner imports no isolation", () => {
    expect(importsBetween(graph, 'isolation', 'partner').length).toBeGreaterThan(0);
    expect(importsBetween(graph, 'partner', 'isolation')).toEqual([]);
  });

  it('core/evidence is a leaf', () => {
    expect([...(folders.get('evidence') ?? [])]).toEqual([]);
  });

  it('no module cycle runs through the store and analysis, or the runner and isolation', () => {
    const across = cycles(graph).filter((cycle) => {
      const touches = (folder: string) => cycle.some((m) => m.startsWith(`src/core/${folder}/`));
      return (touches('store') && touches('analysis')) || (touches('runner') && touches('isolation'));
    });
    expect(across).toEqual([]);
  });

  it('no module cycle inside src/core or src/contract', () => {
    const inside = cycles(graph).filter((cycle) =>
      cycle.some((m) => m.startsWith('src/core/') || m.startsWith('src/contract/')),
    );
    expect(inside).toEqual([]);
  });

  it('no cycle between the folders of src/core', () => {
    expect(cycles(folders)).toEqual([]);
  });

  it('core/ledger is a leaf: probes, the runner, isolation and partner sessions all register on it', () => {
    expect([...(folders.get('ledger') ?? [])]).toEqual([]);
    for (const user of ['probes', 'runner', 'isolation', 'partner', 'monitor'])
      expect(folders.get(user)?.has('ledger'), user).toBe(true);
  });

  it('finds a cycle where there is one', () => {
    const made = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(made)).toEqual([['a', 'b', 'c']]);
  });
});
