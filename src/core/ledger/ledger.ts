/**
 * The attempt ledger: every socket, peer connection, timer and child process a probe opens is
 * registered here and released exactly once, whatever way the attempt ends. A run reports
 * `opened / released / leaked` from it, and tests assert it reads zero.
 */
export type ResourceKind =
  | 'udp-socket'
  | 'tcp-socket'
  | 'tls-socket'
  | 'timer'
  | 'peer-connection'
  | 'data-channel'
  | 'websocket'
  | 'child-process'
  | 'server'
  | 'other';

export interface LedgerEntry {
  readonly id: number;
  readonly kind: ResourceKind;
  readonly label: string;
  /** Idempotent: the first call releases, later calls do nothing. */
  release(): void;
  readonly released: boolean;
}

export interface LedgerCounts {
  opened: number;
  released: number;
  leaked: number;
}

// Every ledger of this process together: what telemetry exports as open resources right now.
let openInProcess = 0;

/** Resources registered and not yet released, across every ledger of this process. */
export function openResourcesInProcess(): number {
  return openInProcess;
}

export class AttemptLedger {
  private nextId = 1;
  private openedCount = 0;
  private releasedCount = 0;
  private readonly open = new Map<number, { kind: ResourceKind; label: string; close: () => void }>();
  private readonly openedKinds = new Map<ResourceKind, number>();

  /** Registers a resource with the function that closes it. Close errors are swallowed: release must not throw. */
  register(kind: ResourceKind, label: string, close: () => void): LedgerEntry {
    const id = this.nextId++;
    const open = this.open;
    this.openedCount++;
    this.openedKinds.set(kind, (this.openedKinds.get(kind) ?? 0) + 1);
    openInProcess++;
    open.set(id, { kind, label, close });
    return {
      id,
      kind,
      label,
      release: () => {
        const item = open.get(id);
        if (!item) return;
        open.delete(id);
        this.releasedCount++;
        openInProcess--;
        try {
          item.close();
        } catch {
          // a close that throws still counts as released: the handle is gone from our side
        }
      },
      get released() {
        return !open.has(id);
      },
    };
  }

  /** A scope releases, in reverse order, everything registered through it. */
  scope(): LedgerScope {
    return new LedgerScope(this);
  }

  counts(): LedgerCounts {
    return { opened: this.openedCount, released: this.releasedCount, leaked: this.open.size };
  }

  /** How many resources of each kind were ever registered here. */
  openedByKind(): Partial<Record<ResourceKind, number>> {
    return Object.fromEntries(this.openedKinds);
  }

  outstanding(): Array<{ id: number; kind: ResourceKind; label: string }> {
    return [...this.open.entries()].map(([id, item]) => ({ id, kind: item.kind, label: item.label }));
  }
}

export class LedgerScope {
  private readonly entries: LedgerEntry[] = [];
  constructor(private readonly ledger: AttemptLedger) {}

  register(kind: ResourceKind, label: string, close: () => void): LedgerEntry {
    const entry = this.ledger.register(kind, label, close);
    this.entries.push(entry);
    return entry;
  }

  /** A timer that is released when it fires or when the scope closes. */
  timeout(label: string, ms: number, onFire: () => void): LedgerEntry {
    let entry: LedgerEntry | undefined = undefined;
    const handle = setTimeout(() => {
      entry?.release();
      onFire();
    }, ms);
    entry = this.register('timer', label, () => clearTimeout(handle));
    return entry;
  }

  /** Another scope on the same ledger, released on its own (a part of an attempt that may end first). */
  scope(): LedgerScope {
    return new LedgerScope(this.ledger);
  }

  releaseAll(): void {
    for (let i = this.entries.length - 1; i >= 0; i--) this.entries[i]?.release();
    this.entries.length = 0;
  }
}
