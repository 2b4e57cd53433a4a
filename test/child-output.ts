/**
 * Wait for a child process under test to print a line (on stdout or stderr), such as the
 * "listening on http://..." line a server prints once it is ready. Test tooling shared by
 * every test that spawns a server.
 */
import type { ChildProcess } from 'node:child_process';

/**
 * Resolve with the first capture group of `pattern` once the child's output matches it; reject
 * when `ms` pass or the child exits first. The output is kept (and keeps growing) in `logs()`.
 *
 * @example
 * const { match: url, logs } = await awaitOutput(child, /listening on (http:\/\/\S+)/, 'server.mjs', 10_000);
 */
export function awaitOutput(child: ChildProcess, pattern: RegExp, what: string, ms: number): Promise<{ match: string; logs: () => string }> {
  let out = '';
  const logs = (): string => out;
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      fn();
    };
    const timer = setTimeout(() => settle(() => reject(new Error(`${what} did not print ${pattern} within ${ms / 1000} s:\n${out}`))), ms);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = done ? null : pattern.exec(out);
      if (m) settle(() => resolve({ match: m[1]!, logs }));
    };
    const onExit = (code: number | null, signal: string | null): void =>
      settle(() => reject(new Error(`${what} exited (${code ?? signal}) before printing ${pattern}:\n${out}`)));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * A `stop()` for a server child: SIGTERM (it drains and exits), SIGKILL if it has not exited
 * after `graceMs`; resolves once it has exited. Harmless when it already has. Call it at once,
 * where the child is spawned, so its 'exit' is never missed.
 *
 * @example
 * const stop = stopper(child);
 * await stop();
 */
export function stopper(child: ChildProcess, graceMs = 12_000): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
}
