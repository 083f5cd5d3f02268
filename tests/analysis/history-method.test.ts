import { describe, expect, it } from 'vitest';
import { ConfigSchema, HistoryReportSchema, methods } from '../../src/contract';
import { dispatch } from '../../src/core/engine/dispatch';
import { TriageService } from '../../src/core/service';
import { record, tempStore } from './history-fixture';

describe('the history method of the contract table', () => {
  const store = tempStore();
  const now = Date.now();
  record(store, now - 90 * 60_000, now, 2 * 60_000, () => false);
  const dbPath = store.database.name;
  store.close();
  const service = new TriageService({
    config: ConfigSchema.parse({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:3478' }] }),
    dbPath,
    face: 'test',
    version: '0.0.0',
  });

  it('returns a history report that matches its schema', async () => {
    const result = await dispatch(service, 'history', { sinceMs: 3_600_000, timeZone: 'UTC' });
    expect(result.ok).toBe(true);
    const report = HistoryReportSchema.parse(result.ok ? result.value : null);
    expect(report.verdict.kind).toBe('healthy');
    expect(methods.history.result.safeParse(report).success).toBe(true);
  });

  it.each([
    [{ sinceMs: 5 }, 'sinceMs'],
    [{ timeZone: 'Nowhere/Land' }, 'timeZone'],
    [{ since: '24h' }, '(root)'],
  ])('refuses %j naming the field', async (args, field) => {
    const result = await dispatch(service, 'history', args);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('ARGUMENT_INVALID');
      expect(result.error.field ?? '(root)').toBe(field);
    }
  });
});
