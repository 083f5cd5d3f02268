/** An outage found in history, with what the verdict needs to characterise it. */
export interface Outage {
  scope: string;
  targetIds: string[];
  start: number;
  end: number | null;
  recoveredAt: number | null;
  attempts: number;
  failures: number;
  timeouts: number;
  noRoute: number;
  /** The local layers (L0/L1) over the same time: attempts and failures. */
  local: { attempts: number; failures: number };
  /** Servers (L2/L3) over the same time, for a relayed-path-only outage. */
  servers: { attempts: number; failures: number };
}
