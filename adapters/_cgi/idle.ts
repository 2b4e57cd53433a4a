/**
 * Idle time of a connection, counted in sweeps: the server runs one timer that sweeps every
 * connection (adapters/_cgi/server.ts), instead of a timer per socket, which cost about 10 µs a
 * request. A connection marks each read with `heard()`; a sweep finding it unheard counts one
 * quiet sweep.
 *
 * Run time only.
 */
export class IdleClock {
  #heard = true;
  #quiet = 0;

  /** Something arrived on the connection. */
  heard(): void {
    this.#heard = true;
  }

  /**
   * One sweep: true once nothing was heard for `quietSweeps` sweeps in a row (the count then
   * starts again).
   *
   * @example
   * if (clock.sweep(quietSweeps) && !closed) onIdle();
   */
  sweep(quietSweeps: number): boolean {
    if (this.#heard) {
      this.#heard = false;
      this.#quiet = 0;
      return false;
    }
    if (++this.#quiet < quietSweeps) return false;
    this.#quiet = 0;
    return true;
  }
}
