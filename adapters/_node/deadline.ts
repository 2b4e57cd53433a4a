/**
 * The per-request deadline: an app that has not returned its Response after `ms` gets its
 * `request.signal` aborted and the client a 504. One interval timer sweeps every pending request
 * (a timer per request would cost every request for the few that are late); a request is late
 * by at most a quarter of `ms` more.
 */

/** What the sweeper tracks: anything with the time it started. */
export interface Timed {
  _startedAt: number;
}

/**
 * @example
 * const deadlines = new Deadlines(30_000, (request) => answer504(request));
 * deadlines.add(request);   // when the app returned a promise
 * deadlines.delete(request); // when it settled
 */
export class Deadlines<T extends Timed> {
  readonly ms: number;
  #pending = new Set<T>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #expire: (item: T) => void;

  constructor(ms: number, expire: (item: T) => void) {
    this.ms = ms;
    this.#expire = expire;
  }

  add(item: T): void {
    item._startedAt = Date.now();
    this.#pending.add(item);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.#sweep(), Math.max(10, Math.min(1000, Math.floor(this.ms / 4))));
      this.#timer.unref();
    }
  }

  delete(item: T): void {
    this.#pending.delete(item);
  }

  get size(): number {
    return this.#pending.size;
  }

  #sweep(): void {
    const cutoff = Date.now() - this.ms;
    // A Set iterates in insertion order, which is start order: stop at the first one in time.
    for (const item of this.#pending) {
      if (item._startedAt > cutoff) break;
      this.#pending.delete(item);
      this.#expire(item);
    }
    if (this.#pending.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
