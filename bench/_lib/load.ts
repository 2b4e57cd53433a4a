/**
 * Load generators: wrk (Debian's `wrk`, preferred: C, one core drives well past what one Node
 * process serves) and autocannon (npm, the fallback when wrk is not installed; it is itself a
 * Node process, so it saturates earlier and lowers every figure alike).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { start } from './processes.ts';

export type LoaderName = 'wrk' | 'autocannon';

export interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  /** Request body and its content type (POST). */
  body?: string;
  contentType?: string;
  seconds: number;
  connections: number;
  /** Core to pin the load generator to, or undefined to leave it unpinned. */
  cpu?: number;
}

export interface LoadResult {
  rps: number;
  /** Responses with a status outside 2xx/3xx. */
  non2xx: number;
  /** Connect/read/write errors and timeouts. */
  errors: number;
}

/** Which load generator is available: wrk when installed, else autocannon from node_modules, else null. */
export function detectLoader(): LoaderName | null {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return 'wrk';
  } catch (err) {
    // wrk prints its version and exits 1; only a missing binary is ENOENT.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return 'wrk';
  }
  try {
    autocannonBin();
    return 'autocannon';
  } catch {
    return null;
  }
}

function autocannonBin(): string {
  const require = createRequire(import.meta.url);
  return join(require.resolve('autocannon/package.json'), '..', 'autocannon.js');
}

/**
 * Run one load and return requests per second. `workDir` holds wrk's Lua script.
 *
 * @example
 * const { rps } = await runLoad('wrk', { url, method: 'GET', seconds: 5, connections: 50, cpu: 0 }, tmp);
 */
export async function runLoad(loader: LoaderName, req: LoadRequest, workDir: string): Promise<LoadResult> {
  const [command, args] = loader === 'wrk' ? wrkArgs(req, workDir) : autocannonArgs(req);
  const child = start(command, args, { cpu: req.cpu });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => {
    // wrk stops by itself after -d; this timer only guards against a hung generator.
    const guard = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), (req.seconds + 15) * 1000);
    child.once('exit', (c) => {
      clearTimeout(guard);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`PORTICO_BENCH_LOAD_FAILED: ${loader} exited with ${code}:\n${out}\n${child.stderrTail()}`);
  return loader === 'wrk' ? parseWrk(out) : parseAutocannon(out);
}

function wrkArgs(req: LoadRequest, workDir: string): [string, string[]] {
  const args = ['-t1', `-c${req.connections}`, `-d${req.seconds}s`, '--timeout', '5s'];
  if (req.method !== 'GET') {
    const script = join(workDir, `${req.method.toLowerCase()}.lua`);
    // A long-bracket string holds the body verbatim (JSON never contains "]=====]").
    writeFileSync(
      script,
      `wrk.method = ${JSON.stringify(req.method)}\n` +
        `wrk.headers["Content-Type"] = ${JSON.stringify(req.contentType ?? 'application/octet-stream')}\n` +
        `wrk.body = [=====[${req.body ?? ''}]=====]\n`,
    );
    args.push('-s', script);
  }
  args.push(req.url);
  return ['wrk', args];
}

/**
 * Requests/sec and error counts from wrk's report.
 *
 * @example
 * parseWrk('Requests/sec:  61234.50\n').rps; // 61234.5
 */
export function parseWrk(out: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`PORTICO_BENCH_LOAD_OUTPUT: no "Requests/sec" in wrk's output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { rps: Number(rps[1]), non2xx, errors };
}

function autocannonArgs(req: LoadRequest): [string, string[]] {
  const args = [autocannonBin(), '-j', '-c', String(req.connections), '-d', String(req.seconds), '-m', req.method];
  if (req.body !== undefined) args.push('-H', `content-type=${req.contentType ?? 'application/octet-stream'}`, '-b', req.body);
  args.push(req.url);
  return [process.execPath, args];
}

function parseAutocannon(out: string): LoadResult {
  const r = JSON.parse(out) as { requests: { average: number }; non2xx: number; errors: number; timeouts: number };
  return { rps: r.requests.average, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}
