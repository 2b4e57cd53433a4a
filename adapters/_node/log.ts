/**
 * The gateway's error log, rate-limited: one broken request type under load must not write
 * megabytes of stack traces a second. Up to `burst` lines per window go out as they come; the
 * rest are counted and summed up in one line when the next window opens.
 */

/** Where the gateway's error lines go. */
export type LogError = (message: string, error?: unknown) => void;

/**
 * @example
 * const log = rateLimitedLog((m, e) => console.error(m, e), { burst: 20, windowMs: 10_000 });
 * log('GET /x failed:', new Error('boom'));
 */
export function rateLimitedLog(write: LogError, options: { burst?: number; windowMs?: number } = {}): LogError {
  const burst = options.burst ?? 20;
  const windowMs = options.windowMs ?? 10_000;
  let windowStart = 0;
  let written = 0;
  let dropped = 0;
  return (message, error) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      if (dropped > 0) write(`${dropped} more error lines in the last ${Math.round((now - windowStart) / 1000)} s were not shown`);
      windowStart = now;
      written = 0;
      dropped = 0;
    }
    if (written < burst) {
      written++;
      write(message, error);
    } else {
      dropped++;
    }
  };
}

/** The default: `[portico] ` lines on stderr, at most 20 every 10 seconds. */
export function defaultLog(): LogError {
  return rateLimitedLog((message, error) => console.error(`[portico] ${message}`, ...(error === undefined ? [] : [error])));
}
