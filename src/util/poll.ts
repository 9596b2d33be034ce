// Backoff polling with a deadline and an abort signal, with the clock and the sleep injected so tests run
// in virtual time.

/** Clock is the time source polling uses: `now` in ms since the epoch, `sleep` that rejects on abort. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** sleep waits `ms` milliseconds; it rejects with the signal's reason as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** systemClock is the real clock. */
export const systemClock: Clock = { now: () => Date.now(), sleep };

/** Backoff shapes the delays: initialMs, then ×factor per wait, never above maxMs. */
export interface Backoff {
  /** First delay (default 1000 ms). */
  initialMs?: number;
  /** Largest delay (default 10 000 ms). */
  maxMs?: number;
  /** Growth per wait (default 1.5). */
  factor?: number;
}

/** backoffDelay is the delay before poll number `attempt` (0-based) under `b`. */
export function backoffDelay(attempt: number, b: Backoff = {}): number {
  const initial = b.initialMs ?? 1000;
  const max = b.maxMs ?? 10_000;
  const factor = b.factor ?? 1.5;
  return Math.min(max, Math.round(initial * factor ** Math.max(0, attempt)));
}

/** PollTimeoutError means the deadline passed before the condition was met. */
export class PollTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`gave up after ${Math.round(waitedMs / 1000)} s`);
    this.name = 'PollTimeoutError';
  }
}

/**
 * Poller paces a polling loop: each `wait()` sleeps the next backoff delay, cut short at the deadline, and
 * throws PollTimeoutError once the deadline has passed. `reset()` returns to the initial delay (e.g. when
 * the observed state changed, so the next change is seen quickly).
 */
export class Poller {
  private attempt = 0;
  private readonly started: number;
  constructor(private readonly opts: Backoff & { clock: Clock; deadline?: number; signal?: AbortSignal }) {
    this.started = opts.clock.now();
  }

  /** wait sleeps before the next poll; `atMostMs` caps this one delay (e.g. until a health window ends). */
  async wait(atMostMs?: number): Promise<void> {
    const { clock, deadline, signal } = this.opts;
    let delay = backoffDelay(this.attempt++, this.opts);
    if (atMostMs !== undefined) delay = Math.max(0, Math.min(delay, atMostMs));
    if (deadline !== undefined) {
      const left = deadline - clock.now();
      if (left <= 0) throw new PollTimeoutError(clock.now() - this.started);
      delay = Math.min(delay, left);
    }
    await clock.sleep(delay, signal);
  }

  /** expired tells whether the deadline has passed. */
  expired(): boolean {
    return this.opts.deadline !== undefined && this.opts.clock.now() >= this.opts.deadline;
  }

  reset(): void {
    this.attempt = 0;
  }
}
