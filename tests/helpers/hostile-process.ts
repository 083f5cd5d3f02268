/**
 * Records every uncaught exception and unhandled rejection while a hostile test runs: a tool pointed
 * at broken servers must never let one escape. Vitest reports them too, but only after the fact and
 * without saying which case caused them; `seen()` lets the test assert there were none.
 */
export function watchProcessFaults(): { start(): void; stop(): void; seen(): string[] } {
  const faults: string[] = [];
  const onException = (error: unknown) => faults.push(`uncaught exception: ${describe(error)}`);
  const onRejection = (reason: unknown) => faults.push(`unhandled rejection: ${describe(reason)}`);
  return {
    start() {
      process.on('uncaughtException', onException);
      process.on('unhandledRejection', onRejection);
    },
    stop() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
    seen: () => [...faults],
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ''}`;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
