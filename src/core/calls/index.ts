export { importCallFile, parseDump, callFromDump, type ImportedCall, type ReproductionPlan } from './import';
export type { DumpIceServer, ParsedDump } from './dump';
export { CallDumpError, DEFAULT_DUMP_LIMITS, type DumpLimits } from './read';
export { reproductionConfig, type TurnCredentials, type ReproductionSources } from './reproduce';
export { explainCall, type CallExplanation } from './explain';
export { observationsFor, SLOW_FIRST_RELAY_MS } from './observations';
export { CallDesk, type ReproduceArgs } from './desk';
