/**
 * Resolves on the first SIGINT/SIGTERM (or when `stop` aborts). The returned `release` keeps a
 * no-op handler installed until the caller has finished closing, so a second Ctrl-C does not kill the
 * process halfway through its cleanup.
 */
export function waitForStop(stop?: AbortSignal): { stopped: Promise<void>; release: () => void } {
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  const onSignal = () => resolveStopped();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  stop?.addEventListener('abort', onSignal, { once: true });
  return {
    stopped,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop?.removeEventListener('abort', onSignal);
    },
  };
}
