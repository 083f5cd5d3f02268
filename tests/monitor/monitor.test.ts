import { describe, expect, it } from 'vitest';
import {
  MonitorStatusSchema,
  REPORT_SCHEMA,
  type Report,
  type TargetStatus,
  type TriageEvent,
} from '../../src/contract';
import { TriageError } from '../../src/core/errors';
import { Monitor } from '../../src/core/monitor';
import { notificationFor, registerMonitorNotifications } from '../../src/main/notifications';

/** A report as the runner makes one, with the given target statuses and leak count. */
function report(statuses: Record<string, TargetStatus>, leaked = 0): Report {
  const now = new Date().toISOString();
  const targets = Object.entries(statuses).map(([id, status]) => ({
    id,
    kind: 'gun' as const,
    layer: 'L3' as const,
    url: `http://127.0.0.1:1/${id}`,
    status,
    rttMs: null,
  }));
  return {
    schema: REPORT_SCHEMA,
    runId: `run-${Math.random().toString(16).slice(2)}`,
    startedAt: now,
    finishedAt: now,
    durationMs: 1,
    verdict: {
      kind: Object.values(statuses).includes('down') ? 'partial-outage' : 'healthy',
      local: 'pass',
      crossNetwork: 'pass',
      confidence: 1,
      title: 'verdict',
      message: 'm',
      action: 'a',
      evidence: [],
    },
    targets,
    attempts: targets
      .filter((t) => t.status === 'down')
      .map((t) => ({
        id: `a-${t.id}`,
        correlationId: 'c',
        probe: 'gun-signaling',
        targetId: t.id,
        attempt: 1,
        outcome: 'error' as const,
        stage: 'connect',
        errorClass: 'refused' as const,
        errorMessage: 'the server refused the connection',
        startedAt: now,
        durationMs: 1,
        metrics: {},
      })),
    patterns: [],
    matrix: [],
    cleanup: { opened: 4, released: 4 - leaked, leaked },
  };
}

/** Runs a monitor over a scripted series of cycle results; returns every event it emitted. */
async function script(steps: Array<() => Report>, rules = { raiseAfter: 2, clearAfter: 2 }) {
  const events: TriageEvent[] = [];
  let i = 0;
  const monitor = new Monitor({
    everyMs: 1, // the engine takes any period; the faces' contract refuses less than 1 s
    jitterRatio: 0,
    maxCycles: steps.length,
    ...rules,
    diagnose: async () => (steps[i++] as () => Report)(),
    emit: (e) => events.push(e),
  });
  monitor.start();
  await monitor.done;
  await monitor.stop();
  return { events, monitor, names: events.map((e) => e.name) };
}

const up = () => report({ relay: 'up' });
const down = () => report({ relay: 'down' });

describe('the monitor', () => {
  it('turns cycles into one alert and one recovery per episode, with a cycle event each time', async () => {
    const { events, monitor, names } = await script([up, down, down, down, up, down, up, up, up]);
    expect(names.filter((n) => n === 'monitor.cycle')).toHaveLength(9);
    expect(names.filter((n) => n === 'monitor.alert')).toHaveLength(1);
    expect(names.filter((n) => n === 'monitor.recovered')).toHaveLength(1);
    expect(names[0]).toBe('monitor.started');
    expect(names.at(-1)).toBe('monitor.stopped');
    const alert = events.find((e) => e.name === 'monitor.alert');
    expect(alert?.targetId).toBe('relay');
    expect(alert?.data).toMatchObject({
      key: 'target:relay',
      state: 'alerting',
      title: expect.stringContaining('down'),
    });
    expect(String(alert?.data?.message)).toContain('refused');
    const status = MonitorStatusSchema.parse(monitor.status());
    expect(status).toMatchObject({ enabled: false, cycles: 9, lastVerdict: 'healthy', active: [] });
    expect(status.recent.map((a) => a.state)).toEqual(['recovered', 'alerting']);
    expect(monitor.ledger.counts().leaked).toBe(0);
  });

  it("an offline machine is one alert with the verdict's action, not one per server it cannot reach", async () => {
    const offline = () => {
      const r = report({ relay: 'down', peerjs: 'down', stun: 'down' });
      r.verdict = {
        ...r.verdict,
        kind: 'offline',
        local: 'fail',
        title: 'This machine appears to be offline',
        message: 'No server could be reached and no name resolved.',
        action: "Check this machine's network: Wi-Fi or cable, VPN, proxy, DNS.",
      };
      return r;
    };
    const { events } = await script([offline, offline, offline, up, up]);
    const said = events
      .filter((e) => e.name === 'monitor.alert' || e.name === 'monitor.recovered')
      .map((e) => `${e.name === 'monitor.alert' ? '+' : '-'}${String(e.data?.key)}`);
    expect(said).toEqual(['+machine:offline', '-machine:offline']);
    const alert = events.find((e) => e.name === 'monitor.alert');
    expect(alert?.data).toMatchObject({ title: 'This machine appears to be offline' });
    expect(String(alert?.data?.message)).toContain("What to do: Check this machine's network");
  });

  it('skips a cycle when another diagnosis is running (BUSY): no evidence, no alert', async () => {
    const busy = () => {
      throw new TriageError('BUSY', 'a diagnosis is already running');
    };
    const { events } = await script([down, busy, busy, down]);
    const cycles = events.filter((e) => e.name === 'monitor.cycle').map((e) => e.data?.result);
    expect(cycles).toEqual(['ok', 'busy', 'busy', 'ok']);
    expect(events.filter((e) => e.name === 'monitor.alert')).toHaveLength(1); // down, down: raised once
  });

  it('a failing diagnosis is an episode of its own; target episodes wait for evidence', async () => {
    const broken = () => {
      throw new Error('database is locked');
    };
    const { events } = await script([down, down, broken, broken, down, up, up], {
      raiseAfter: 2,
      clearAfter: 2,
    });
    const said = events
      .filter((e) => e.name === 'monitor.alert' || e.name === 'monitor.recovered')
      .map((e) => `${e.name === 'monitor.alert' ? '+' : '-'}${String(e.data?.key)}`);
    expect(said).toEqual([
      '+target:relay',
      '+monitor:diagnosis-failed',
      '-monitor:diagnosis-failed', // two good diagnoses (down, up) clear the failure episode
      '-target:relay',
    ]);
    const failed = events.find((e) => e.data?.key === 'monitor:diagnosis-failed');
    expect(String(failed?.data?.message)).toContain('database is locked');
  });

  it('raises leaked resources, and ignores untested targets', async () => {
    const leak = () => report({ relay: 'untested' }, 2);
    const { events } = await script([down, leak, leak, up, up], { raiseAfter: 1, clearAfter: 1 });
    const said = events
      .filter((e) => e.name === 'monitor.alert' || e.name === 'monitor.recovered')
      .map((e) => `${e.name === 'monitor.alert' ? '+' : '-'}${String(e.data?.key)}`);
    expect(said).toEqual(['+target:relay', '+cleanup:leaked', '-target:relay', '-cleanup:leaked']);
  });
});

describe('desktop notifications', () => {
  it('one notification per alert and per recovery, nothing for other events; a click is passed on', () => {
    const shown: Array<{ title: string; body: string }> = [];
    let clicks = 0;
    const listeners = new Set<(e: TriageEvent) => void>();
    class FakeNotification {
      static isSupported() {
        return true;
      }
      private click: () => void = () => {};
      constructor(private readonly options: { title: string; body: string }) {}
      on(_event: 'click', listener: () => void) {
        this.click = listener;
      }
      show() {
        shown.push(this.options);
        this.click();
      }
    }
    const dispose = registerMonitorNotifications(
      { onEvent: (l) => (listeners.add(l), () => listeners.delete(l)) },
      FakeNotification,
      () => clicks++,
    );
    const emit = (e: TriageEvent) => listeners.forEach((l) => l(e));
    emit({ name: 'run.finished', at: '', runId: 'r' });
    emit({ name: 'monitor.cycle', at: '', runId: 'r', data: { result: 'ok' } });
    emit({
      name: 'monitor.alert',
      at: '',
      runId: 'r',
      data: { title: 'GUN relay x is down', message: 'refused' },
    });
    emit({
      name: 'monitor.recovered',
      at: '',
      runId: 'r',
      data: { title: 'Recovered: GUN relay x is down', message: '' },
    });
    expect(shown).toEqual([
      { title: 'RTC Triage: GUN relay x is down', body: 'refused' },
      { title: 'RTC Triage: Recovered: GUN relay x is down', body: '' },
    ]);
    expect(clicks).toBe(2);
    dispose();
    expect(listeners.size).toBe(0);
    expect(
      notificationFor({ name: 'monitor.alert', at: '', runId: 'r', data: { message: 'x'.repeat(500) } })
        ?.body,
    ).toHaveLength(240);
  });
});
