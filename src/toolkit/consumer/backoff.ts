export interface BackoffOptions {
  /** Delay before the second attempt. Default 1 second. */
  readonly initialSeconds?: number;
  /** Growth per attempt. Default 2. */
  readonly multiplier?: number;
  /** Upper bound. Default 300 seconds. */
  readonly maxSeconds?: number;
  /**
   * Spread retries over [delay/2, delay] so messages that failed together (an outage) do not come
   * back together. Default true.
   */
  readonly jitter?: boolean;
}

/** SQS counts visibility in whole seconds and allows at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

export function backoffSchedule(options: BackoffOptions = {}): (receiveCount: number) => number {
  const initial = options.initialSeconds ?? 1;
  const multiplier = options.multiplier ?? 2;
  const max = Math.min(options.maxSeconds ?? 300, MAX_VISIBILITY_SECONDS);
  const jitter = options.jitter ?? true;
  if (!(initial >= 0) || !(multiplier >= 1) || !(max >= 0)) throw new RangeError("backoff needs initialSeconds ≥ 0, multiplier ≥ 1, maxSeconds ≥ 0");
  return (receiveCount) => {
    const attempt = Math.max(1, receiveCount);
    const delay = Math.min(max, initial * multiplier ** (attempt - 1));
    const spread = jitter ? delay / 2 + Math.random() * (delay / 2) : delay;
    return Math.min(max, Math.round(spread));
  };
}
