export { Monitor, type MonitorOptions } from './monitor';
export { AlertEpisodes, DEFAULT_EPISODE_RULES, type Condition, type EpisodeRules } from './alerts';
export { conditionsOf, diagnosisFailed, targetKey, DIAGNOSIS_FAILED_KEY, LEAKED_KEY } from './conditions';
export { CycleScheduler, type SchedulerOptions } from './scheduler';
