export type ImportGraph = Map<string, Set<string>>;
export function importGraph(srcDir?: string): ImportGraph;
export function cycles(graph: ImportGraph): string[][];
export function coreFolderGraph(graph: ImportGraph): ImportGraph;
export function importsBetween(graph: ImportGraph, a: string, b: string): string[];
