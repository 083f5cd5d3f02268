import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/contract';
import { skipUnlessIsolated } from '../helpers/isolation';
import { tempService, type TempService } from './fixture';

/**
 * The Settings screen's schedule and the Overview's monitor switch are one setting: saving the
 * schedule switches the monitor, the switch is saved as the schedule, and a saved schedule survives
 * a restart of the desktop app or `serve` (resumeSchedule). Real monitors run real diagnoses, so
 * the only target is a silent STUN server on loopback.
 */
let temp: TempService | undefined;
let silent: Socket | undefined;

afterEach(async () => {
  for (const service of temp ? [temp.service] : []) await service.setMonitor({ enabled: false });
  temp?.close();
  temp = undefined;
  silent?.close();
  silent = undefined;
});

async function loopbackConfig(): Promise<ConfigInput> {
  silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent?.bind(0, '127.0.0.1', resolve));
  return {
    targets: [{ kind: 'stun', id: 'silent', url: `stun:127.0.0.1:${silent.address().port}` }],
    timeouts: { stunMs: 300 },
    retry: { maxAttempts: 1 },
  };
}

describe.skipIf(skipUnlessIsolated('the monitor schedule test'))('the saved monitor schedule', () => {
  it('saving the schedule switches the monitor on and off', async () => {
    temp = tempService({ config: await loopbackConfig() });
    const settings = temp.service.getSettings();
    expect(temp.service.monitorStatus().enabled).toBe(false);

    const on = await temp.call('saveSettings', {
      ...settings,
      schedule: { enabled: true, everyMs: 600_000 },
    });
    expect(on.ok).toBe(true);
    expect(temp.service.monitorStatus()).toMatchObject({ enabled: true, everyMs: 600_000 });

    await temp.call('saveSettings', { ...settings, schedule: { enabled: true, everyMs: 900_000 } });
    expect(temp.service.monitorStatus()).toMatchObject({ enabled: true, everyMs: 900_000 });

    await temp.call('saveSettings', { ...settings, schedule: { enabled: false, everyMs: 900_000 } });
    expect(temp.service.monitorStatus().enabled).toBe(false);
  });

  it('the switch is saved as the schedule, and a restart resumes it', async () => {
    const config = await loopbackConfig();
    temp = tempService({ config });
    const switched = await temp.call('setMonitor', { enabled: true, everyMs: 300_000 });
    expect(switched).toMatchObject({ ok: true, value: { enabled: true, everyMs: 300_000 } });
    expect(temp.service.getSettings().schedule).toEqual({ enabled: true, everyMs: 300_000 });

    // A period below the schedule's 10 s floor runs, but the saved period stays what it was.
    await temp.call('setMonitor', { enabled: true, everyMs: 2_000 });
    expect(temp.service.monitorStatus().everyMs).toBe(2_000);
    expect(temp.service.getSettings().schedule).toEqual({ enabled: true, everyMs: 300_000 });
    await temp.service.setMonitor({ enabled: true, everyMs: 300_000 });

    const restarted = temp.reopen();
    expect(restarted.monitorStatus().enabled).toBe(false);
    expect(await restarted.resumeSchedule()).toMatchObject({ enabled: true, everyMs: 300_000 });
    await restarted.setMonitor({ enabled: false });
    expect(restarted.getSettings().schedule.enabled).toBe(false);

    // The CLI's faces (no saved settings) never start a monitor from the database.
    const cli = temp.reopen({ useSavedSettings: false });
    await temp.service.setMonitor({ enabled: true, everyMs: 300_000 });
    expect(temp.service.getSettings().schedule.enabled).toBe(true);
    expect((await cli.resumeSchedule()).enabled).toBe(false);
  });
});
