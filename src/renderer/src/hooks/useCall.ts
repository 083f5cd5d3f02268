import { useCallback, useEffect, useState } from 'react';
import type { MethodArgs, MethodName, MethodResult, TriageApi } from '../../../contract';
import { describeError } from '../api/call-failure';

export interface CallState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload(): void;
}

/**
 * Loads one contract method's result and keeps it while the arguments stay the same (compared by
 * value); `refresh` (e.g. the newest run's id) reloads it when the history changed.
 */
export function useCall<M extends MethodName>(
  api: TriageApi,
  method: M,
  args: MethodArgs<M>,
  refresh: unknown = null,
): CallState<MethodResult<M>> {
  const key = JSON.stringify(args);
  const [state, setState] = useState<{
    data: MethodResult<M> | null;
    error: string | null;
    loading: boolean;
  }>({
    data: null,
    error: null,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    const call = api[method] as unknown as (args: MethodArgs<M>) => Promise<MethodResult<M>>;
    call(JSON.parse(key) as MethodArgs<M>).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: null, error: describeError(error), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [api, method, key, refresh, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}
