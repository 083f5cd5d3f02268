import { afterAll, describe, expect, it } from 'vitest';
import { MonitorStatusSchema, type TriageEvent } from '../../src/contract';
import { dispatch } from '../../src/core/engine/dispatch';
import { openResourcesInProcess } from '../../src/core/ledger/ledger';
import { skipUnlessIsolated } from '../helpers/isolation';
import { startLabService, type LabService } from '../helpers/lab-service';

const skip = skipUnlessIsolated('the monitor contract methods (real diagnoses on the lab)');

describe.skipIf(skip)('monitorStatus and setMonitor through the contract', () => {
  let lab: LabService | null = null;
  afterAll(async () => {
    await lab?.close();
  });

  it('switches scheduled diagnoses on, changes the period, and off again, leaving nothing running', async () => {
    const open = openResourcesInProcess();
    lab = await startLabService({ face: 'desktop' });
    const events: TriageEvent[] = [];
    lab.service.onEvent((e) => events.push(e));
    const cycles = () => events.filter((e) => e.name === 'monitor.cycle').length;
    const waitCycles = async (n: number) => {
      const deadline = Date.now() + 90_000;
      while (cycles() < n) {
        if (Date.now() > deadline) throw new Error(`only ${cycles()} monitor cycles`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    const initial = await dispatch(lab.service, 'monitorStatus', {});
    expect(initial).toMatchObject({ ok: true, value: { enabled: false, cycles: 0, active: [] } });

    const tooFast = await dispatch(lab.service, 'setMonitor', { enabled: true, everyMs: 10 });
    expect(tooFast).toMatchObject({ ok: false, error: { code: 'ARGUMENT_INVALID', field: 'everyMs' } });
    const noFlag = await dispatch(lab.service, 'setMonitor', { everyMs: 60_000 });
    expect(noFlag).toMatchObject({ ok: false, error: { field: 'enabled' } });

    const on = await dispatch(lab.service, 'setMonitor', { enabled: true, everyMs: 1000 });
    expect(on).toMatchObject({ ok: true, value: { enabled: true, everyMs: 1000 } });
    await waitCycles(2);
    const running = await dispatch(lab.service, 'monitorStatus', {});
    expect(running.ok).toBe(true);
    const status = MonitorStatusSchema.parse(running.ok ? running.value : null);
    expect(status.cycles).toBeGreaterThanOrEqual(2);
    expect(status.lastVerdict).not.toBeNull();
    expect(status.lastRunAt).not.toBeNull();
    // The monitor's runs are in the history like any other, under this face.
    expect(lab.service.lastReport()?.runId).toBeDefined();

    // Same period again: nothing restarts. A new period: one stop, one start.
    const starts = () => events.filter((e) => e.name === 'monitor.started').length;
    await dispatch(lab.service, 'setMonitor', { enabled: true, everyMs: 1000 });
    expect(starts()).toBe(1);
    const changed = await dispatch(lab.service, 'setMonitor', { enabled: true, everyMs: 2000 });
    expect(changed).toMatchObject({ ok: true, value: { enabled: true, everyMs: 2000 } });
    expect(starts()).toBe(2);
    expect(events.filter((e) => e.name === 'monitor.stopped')).toHaveLength(1);

    const off = await dispatch(lab.service, 'setMonitor', { enabled: false });
    expect(off).toMatchObject({ ok: true, value: { enabled: false, nextRunAt: null } });
    expect(events.filter((e) => e.name === 'monitor.stopped')).toHaveLength(2);
    const after = cycles();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(cycles()).toBe(after);
    expect(openResourcesInProcess()).toBe(open);
  }, 180_000);
});
