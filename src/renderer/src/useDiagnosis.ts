import { useCallback, useEffect, useReducer, useState } from 'react';
import type { Outcome, Report, TriageApi, TriageEvent } from '../../contract';
import { describeError } from './api/call-failure';

export interface ProgressRow {
  attemptId: string;
  targetId: string;
  targetUrl: string;
  probe: string;
  attempt: number;
  status: 'running' | Outcome;
  durationMs: number | null;
  errorClass: string | null;
}

export interface DiagnosisState {
  phase: 'idle' | 'running' | 'cancelling';
  runId: string | null;
  progress: ProgressRow[];
  report: Report | null;
  /** The report shown was loaded from history (lastReport), not produced by this session. */
  fromHistory: boolean;
  error: string | null;
}

type Action =
  | { type: 'loaded'; report: Report | null }
  | { type: 'start' }
  | { type: 'event'; event: TriageEvent }
  | { type: 'cancelling' }
  | { type: 'finished'; report: Report }
  | { type: 'failed'; message: string }
  | { type: 'notice'; message: string };

const MAX_ROWS = 300;

const initial: DiagnosisState = {
  phase: 'idle',
  runId: null,
  progress: [],
  report: null,
  fromHistory: false,
  error: null,
};

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function applyEvent(state: DiagnosisState, event: TriageEvent): DiagnosisState {
  if (state.phase === 'idle') return state;
  if (event.name === 'run.started') return state.runId ? state : { ...state, runId: event.runId };
  if (state.runId !== null && event.runId !== state.runId) return state;
  const data = event.data ?? {};
  if (event.name === 'attempt.started' && event.attemptId) {
    const row: ProgressRow = {
      attemptId: event.attemptId,
      targetId: event.targetId ?? '',
      targetUrl: str(data.targetUrl, event.targetId ?? ''),
      probe: str(data.probe),
      attempt: num(data.attempt) ?? 1,
      status: 'running',
      durationMs: null,
      errorClass: null,
    };
    return { ...state, progress: [...state.progress, row].slice(-MAX_ROWS) };
  }
  if (event.name === 'attempt.finished' && event.attemptId) {
    const outcome = str(data.outcome, 'error') as Outcome;
    return {
      ...state,
      progress: state.progress.map((row) =>
        row.attemptId === event.attemptId
          ? {
              ...row,
              status: outcome,
              durationMs: num(data.durationMs),
              errorClass: str(data.errorClass) || null,
            }
          : row,
      ),
    };
  }
  return state;
}

function reduce(state: DiagnosisState, action: Action): DiagnosisState {
  switch (action.type) {
    case 'loaded':
      // A run started before history loaded wins over the older report.
      return state.report || state.phase !== 'idle'
        ? state
        : { ...state, report: action.report, fromHistory: action.report !== null };
    case 'start':
      return { ...state, phase: 'running', runId: null, progress: [], error: null };
    case 'event':
      return applyEvent(state, action.event);
    case 'cancelling':
      return state.phase === 'running' ? { ...state, phase: 'cancelling' } : state;
    case 'finished':
      return { ...state, phase: 'idle', report: action.report, fromHistory: false };
    case 'failed':
      return { ...state, phase: 'idle', error: action.message };
    case 'notice':
      return {
        ...state,
        phase: state.phase === 'cancelling' ? 'running' : state.phase,
        error: action.message,
      };
  }
}

/** The diagnosis screen's state: last report on load, live progress from events, run and cancel. */
export function useDiagnosis(api: TriageApi) {
  const [state, dispatch] = useReducer(reduce, initial);

  useEffect(() => api.onEvent((event) => dispatch({ type: 'event', event })), [api]);

  useEffect(() => {
    let live = true;
    api.lastReport({}).then(
      (report) => live && dispatch({ type: 'loaded', report }),
      (error: unknown) =>
        live &&
        dispatch({ type: 'notice', message: `Could not load the last report: ${describeError(error)}` }),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const [appFailing, setAppFailing] = useState(false);

  const run = useCallback(async () => {
    dispatch({ type: 'start' });
    try {
      dispatch({ type: 'finished', report: await api.runDiagnosis({ appFailing }) });
    } catch (error) {
      dispatch({ type: 'failed', message: describeError(error) });
    }
  }, [api, appFailing]);

  const cancel = useCallback(async () => {
    if (!state.runId) return;
    dispatch({ type: 'cancelling' });
    try {
      await api.cancelDiagnosis({ runId: state.runId });
    } catch (error) {
      dispatch({ type: 'notice', message: `Could not cancel: ${describeError(error)}` });
    }
  }, [api, state.runId]);

  return { state, run, cancel, appFailing, setAppFailing };
}

/** The diagnosis the whole app shares: it keeps running while the user looks at other screens. */
export type Diagnosis = ReturnType<typeof useDiagnosis>;
