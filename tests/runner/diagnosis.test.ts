import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TriageEvent } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { resolveTargets } from '../../src/core/config/targets';
import { MACHINE_TARGET } from '../../src/core/probes/types';
import { runDiagnosis } from '../../src/core/runner/run';
import { planJobs } from '../../src/core/runner/schedule';
import { startLab, type Lab } from '../../src/lab';
import { skipUnlessIsolated } from '../helpers/isolation';

/** A whole diagnosis of the embedded lab through the runner: scheduling, cancellation listeners, cleanup. */
describe.skipIf(skipUnlessIsolated('the runner diagnosis test'))(
  'runDiagnosis against the embedded lab',
  () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab();
    });
    afterAll(async () => {
      await lab?.close();
    });

    it('runs more jobs at once than Node allows abort listeners by default, without a warning', async () => {
      // the lab's servers listed twice (distinct ids): enough jobs to pass Node's default of 10 listeners
      const twice = [...lab.config.targets, ...lab.config.targets.map((t) => ({ ...t, id: `${t.id}-2` }))];
      const config = parseConfig({
        ...lab.config,
        targets: twice,
        retry: { maxAttempts: 1 },
        concurrency: 16,
      });
      const targets = resolveTargets(config);
      const jobs = planJobs([MACHINE_TARGET, ...targets], config.timeouts);
      expect(jobs.length).toBeGreaterThan(10);
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
      process.on('warning', onWarning);
      try {
        const report = await runDiagnosis({ config, targets });
        // warnings are emitted on a later tick
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
        expect(report.attempts.filter((a) => a.outcome !== 'success')).toEqual([]);
        expect(report.cleanup.leaked).toBe(0);
        expect(report.cleanup.released).toBe(report.cleanup.opened);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('starts the jobs in the planned order, each dependent only after the job it needs ended', async () => {
      const config = parseConfig({ ...lab.config, retry: { maxAttempts: 1 }, concurrency: 2 });
      const targets = resolveTargets(config);
      const plan = planJobs([MACHINE_TARGET, ...targets], config.timeouts);
      const key = (probe: string, target: string) => `${probe}@${target}`;
      const order: string[] = [];
      const report = await runDiagnosis({
        config,
        targets,
        onEvent: (event: TriageEvent) => {
          if (event.name === 'attempt.started' || event.name === 'attempt.finished')
            order.push(`${event.name} ${key(String(event.data?.probe), event.targetId ?? '')}`);
        },
      });
      const started = order.filter((e) => e.startsWith('attempt.started')).map((e) => e.split(' ')[1] ?? '');
      expect([...started].sort()).toEqual(plan.map((j) => key(j.probe.name, j.target.id)).sort());
      // the jobs that need nothing start in the plan's order
      const free = plan.filter((j) => !j.after).map((j) => key(j.probe.name, j.target.id));
      expect(started.filter((s) => free.includes(s))).toEqual(free);
      for (const job of plan) {
        if (!job.after) continue;
        const needed = key(job.after.probe.name, job.target.id);
        expect(order.indexOf(`attempt.finished ${needed}`)).toBeLessThan(
          order.indexOf(`attempt.started ${key(job.probe.name, job.target.id)}`),
        );
      }
      expect(report.cleanup.leaked).toBe(0);
    });
  },
);
