/**
 * `ctx.waitUntil` bookkeeping for long-running gateways: promises are kept until they settle,
 * a rejection is logged (never an unhandled rejection that would end the process), and a
 * graceful shutdown can wait for what is left, up to a deadline.
 */

/**
 * @example
 * const tracker = new WaitUntilTracker((e) => console.error(e));
 * tracker.add(sendMetrics());
 * await tracker.settled(10_000); // on shutdown
 */
export class WaitUntilTracker {
  #pending = new Set<Promise<unknown>>();
  #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Keep `promise` until it settles. Anything that is not a thenable is ignored. */
  add(promise: Promise<unknown>): void {
    if (promise === null || typeof (promise as { then?: unknown })?.then !== 'function') return;
    const tracked = Promise.resolve(promise).then(
      () => {
        this.#pending.delete(tracked);
      },
      (error) => {
        this.#pending.delete(tracked);
        this.#onError(error);
      },
    );
    this.#pending.add(tracked);
  }

  /** How many promises are still running. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Resolves when every tracked promise (including ones added meanwhile) has settled, or after
   * `timeoutMs`, whichever is first. Resolves to whether everything settled.
   */
  settled(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const check = (): void => {
        if (this.#pending.size === 0) {
          clearTimeout(timer);
          resolve(true);
          return;
        }
        Promise.allSettled([...this.#pending]).then(check);
      };
      check();
    });
  }
}
