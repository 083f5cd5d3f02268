import { describe, expect, it } from 'vitest';
import { AttemptLedger } from './ledger';

describe('AttemptLedger', () => {
  it('counts opened and released resources; release is idempotent', () => {
    const ledger = new AttemptLedger();
    let closed = 0;
    const entry = ledger.register('udp-socket', 'a', () => closed++);
    expect(ledger.counts()).toEqual({ opened: 1, released: 0, leaked: 1 });
    entry.release();
    entry.release();
    expect(closed).toBe(1);
    expect(entry.released).toBe(true);
    expect(ledger.counts()).toEqual({ opened: 1, released: 1, leaked: 0 });
  });

  it('a scope releases everything it registered, in reverse order, even if a close throws', () => {
    const ledger = new AttemptLedger();
    const scope = ledger.scope();
    const order: string[] = [];
    scope.register('tcp-socket', 'first', () => order.push('first'));
    scope.register('other', 'throws', () => {
      order.push('throws');
      throw new Error('close failed');
    });
    scope.register('timer', 'last', () => order.push('last'));
    scope.releaseAll();
    scope.releaseAll();
    expect(order).toEqual(['last', 'throws', 'first']);
    expect(ledger.counts()).toEqual({ opened: 3, released: 3, leaked: 0 });
    expect(ledger.outstanding()).toEqual([]);
  });

  it('a scoped timer releases itself when it fires', async () => {
    const ledger = new AttemptLedger();
    const fired = await new Promise<boolean>((resolve) =>
      ledger.scope().timeout('t', 5, () => resolve(true)),
    );
    expect(fired).toBe(true);
    expect(ledger.counts().leaked).toBe(0);
  });
});
