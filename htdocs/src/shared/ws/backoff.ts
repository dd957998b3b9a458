// Reconnect delays: exponential back-off with "equal jitter" so that many
// clients that lost the relay at once don't all come back at once.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

/** Delay before reconnect attempt number `attempt` (0 = first retry). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 500;
  const max = opts.maxMs ?? 30_000;
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
