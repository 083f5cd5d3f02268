import { describe, expect, it } from 'vitest';
import { CycleScheduler } from '../../src/core/monitor';
import { openResourcesInProcess } from '../../src/core/ledger/ledger';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the monitor scheduler', () => {
  it('jitters each start by at most jitterRatio × period, capped', () => {
    const draws = [0, 0.5, 0.999999];
    for (const r of draws) {
      const minute = new CycleScheduler(async () => {}, { everyMs: 60_000, random: () => r });
      expect(minute.jitterMs()).toBeGreaterThanOrEqual(0);
      expect(minute.jitterMs()).toBeLessThan(6000);
      const day = new CycleScheduler(async () => {}, { everyMs: 86_400_000, random: () => r });
      expect(day.jitterMs()).toBeLessThan(30_000);
    }
    expect(new CycleScheduler(async () => {}, { everyMs: 60_000, random: () => 0.5 }).jitterMs()).toBe(3000);
    const none = new CycleScheduler(async () => {}, { everyMs: 60_000, jitterRatio: 0, random: () => 0.9 });
    expect(none.jitterMs()).toBe(0);
  });

  it('runs cycles one at a time, even when a cycle overruns the period, and stops after maxCycles', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    const scheduler = new CycleScheduler(
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        runs++;
        await sleep(runs === 2 ? 60 : 1); // the second cycle takes six periods
        inFlight--;
      },
      { everyMs: 10, maxCycles: 5 },
    );
    scheduler.start();
    await scheduler.done;
    expect(runs).toBe(5);
    expect(maxInFlight).toBe(1);
    expect(scheduler.active).toBe(false);
    expect(scheduler.nextRunAt).toBeNull();
    expect(scheduler.ledger.counts().leaked).toBe(0);
  });

  it('stop() cancels the cycle in progress, waits for it, and leaves no timer behind', async () => {
    const openBefore = openResourcesInProcess();
    let sawAbort = false;
    let entered: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const scheduler = new CycleScheduler(
      (signal) =>
        new Promise<void>((resolve) => {
          entered();
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve();
          });
        }),
      { everyMs: 1000, jitterRatio: 0 },
    );
    scheduler.start();
    await started;
    await scheduler.stop();
    expect(sawAbort).toBe(true);
    expect(scheduler.completedCycles).toBe(1);
    expect(scheduler.ledger.counts()).toMatchObject({ leaked: 0 });
    expect(openResourcesInProcess()).toBe(openBefore);
    await scheduler.done;
  });

  it('stopped before its first start, it never runs', async () => {
    let runs = 0;
    const scheduler = new CycleScheduler(
      async () => {
        runs++;
      },
      { everyMs: 60_000, random: () => 0.9 },
    );
    scheduler.start();
    expect(scheduler.nextRunAt).not.toBeNull();
    await scheduler.stop();
    await sleep(20);
    expect(runs).toBe(0);
    expect(scheduler.ledger.counts()).toEqual({ opened: 1, released: 1, leaked: 0 });
  });

  it('keeps going when a cycle throws', async () => {
    let runs = 0;
    const scheduler = new CycleScheduler(
      async () => {
        runs++;
        throw new Error('boom');
      },
      { everyMs: 5, maxCycles: 3 },
    );
    scheduler.start();
    await scheduler.done;
    expect(runs).toBe(3);
  });
});
