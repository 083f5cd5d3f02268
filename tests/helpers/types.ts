export type { AttemptReport, TriageEvent, Target as TargetInput } from '../../src/contract';
