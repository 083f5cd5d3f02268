/** The seed's thresholds (PeddleNet outage analysis, "Pattern Detection" and "Monitoring Alerts"). */
export const THRESHOLDS = {
  outage: { windowMs: 30 * 60_000, minRate: 0.8, minAttempts: 10 },
  alert: { windowMs: 10 * 60_000, minRate: 0.2, minAttempts: 4 },
  consecutiveFailures: 3,
  recoveryGoalMs: 30_000,
  /** Outages on different days within this many minutes of each other's start and end recur. */
  recurringToleranceMin: 60,
  flapping: { minFlips: 6, maxGapMs: 30 * 60_000, minBucketAttempts: 2 },
} as const;
