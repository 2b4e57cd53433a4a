/**
 * Running a built worker (dist/cloudflare: worker.js + wrangler.json) in real workerd through
 * Miniflare, with the bindings wrangler.json declares (vars, KV, D1, R2, static assets ...)
 * simulated locally. `portico dev --target cloudflare` and the tests and benchmark use it.
 *
 * wrangler.json is turned into Miniflare options by wrangler itself
 * (`unstable_getMiniflareWorkerOptions`), so dev reads exactly the file `wrangler deploy` reads
 * and every binding kind wrangler knows works here too. wrangler and its miniflare come from the
 * user's project (peers.ts). Build time only (Node).
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { DevHandle } from '../../../src/bundle/target.ts';
import { loadWorkerTools, type WorkerTools } from './peers.ts';

type MiniflareModule = typeof import('miniflare');
type Miniflare = InstanceType<MiniflareModule['Miniflare']>;

export interface WorkerdOptions {
  /** Interface workerd listens on. Default '127.0.0.1'. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Where KV/D1/R2/cache data is kept across restarts; undefined keeps it in memory. Default undefined. */
  persistTo?: string;
  /**
   * Also open workerd's direct socket to the worker (no Miniflare entry worker in between),
   * read with `miniflare.unsafeGetDirectURL()`. For benchmarks. Default false.
   */
  directSocket?: boolean;
  /** Receives the worker's console output. Default: printed to this process's stdout/stderr. */
  onLog?: (level: string, message: string) => void;
}

/** A worker running in workerd. */
export interface RunningWorker {
  /** The loopback origin, e.g. http://127.0.0.1:41234/. */
  readonly url: URL;
  /** The Miniflare instance (for `getKVNamespace`, `getWorker().scheduled()` ...). */
  readonly miniflare: Miniflare;
  /** Reload worker.js and wrangler.json from the folder, keeping the port. */
  reload(): Promise<void>;
  /** Stop workerd. */
  close(): Promise<void>;
}

/**
 * Miniflare options for the worker in `dir`, from its wrangler.json as wrangler reads it, in the
 * shape of the miniflare that wrangler depends on: miniflare 5 takes wrangler's (v4-shaped)
 * options through its `convertV4MiniflareOptions`, miniflare 4 takes them as they are.
 */
function workerdOptions(dir: string, options: WorkerdOptions, { wrangler, miniflare }: WorkerTools): ConstructorParameters<MiniflareModule['Miniflare']>[0] {
  const configPath = join(dir, 'wrangler.json');
  const converted = wrangler.unstable_getMiniflareWorkerOptions(configPath);
  // worker.js is one bundled module: wrangler's module rules (for finding extra modules beside
  // it) do not apply, and Miniflare's v5 converter refuses them.
  const { modulesRules: _rules, ...workerOptions } = converted.workerOptions as Record<string, unknown>;
  const onLog = options.onLog ?? defaultLog;
  const convert = (miniflare as Partial<MiniflareModule>).convertV4MiniflareOptions;
  // Where KV/D1/R2 data lives: miniflare 5 names it resourcePersistencePath, 4 defaultPersistRoot.
  const persist = options.persistTo ? (convert ? { resourcePersistencePath: options.persistTo } : { defaultPersistRoot: options.persistTo }) : {};
  const shared = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    ...persist,
    // One log line per request is noise in tests and benchmarks; the app logs what it wants.
    logRequests: false,
    // Lets `/cdn-cgi/handler/scheduled` trigger the app's scheduled handler, as `wrangler dev --test-scheduled`.
    unsafeTriggerHandlers: true,
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => onLog(level, message),
    workers: [
      {
        ...workerOptions,
        name: nameOf(converted),
        modules: true,
        scriptPath: converted.main,
        ...(options.directSocket ? { unsafeDirectSockets: [{ host: options.host ?? '127.0.0.1', port: 0 }] } : {}),
      },
    ],
  };
  return (convert ? convert(shared as Parameters<MiniflareModule['convertV4MiniflareOptions']>[0]) : shared) as ConstructorParameters<MiniflareModule['Miniflare']>[0];
}

function nameOf(converted: { workerOptions: unknown }): string {
  return ((converted.workerOptions as { name?: string }).name ?? 'worker') as string;
}

function defaultLog(level: string, message: string): void {
  if (level === 'error' || level === 'warn') process.stderr.write(`${message}\n`);
  else process.stdout.write(`${message}\n`);
}

/**
 * Start the built worker in `dir` (dist/cloudflare) in workerd on loopback.
 *
 * @example
 * const worker = await startWorkerd('dist/cloudflare');
 * await fetch(new URL('/hello', worker.url));
 * await worker.close();
 */
export async function startWorkerd(dir: string, options: WorkerdOptions = {}): Promise<RunningWorker> {
  const tools = loadWorkerTools(dir);
  const build = async () => workerdOptions(dir, options, tools);
  const miniflare = new tools.miniflare.Miniflare(await build());
  let url: URL;
  try {
    url = await miniflare.ready;
  } catch (error) {
    await miniflare.dispose().catch(() => {});
    throw error;
  }
  return {
    url,
    miniflare,
    async reload() {
      await miniflare.setOptions(await build());
    },
    close: () => miniflare.dispose(),
  };
}

/** One workerd per dev session, shared by the handles of successive builds (setOptions on rebuild). */
let session: { dir: string; worker: Promise<RunningWorker>; handles: number } | undefined;

/**
 * The `dev` hook: run the fresh build in workerd (started once, reloaded on each rebuild) and
 * proxy the dev server's requests to it.
 *
 * @example
 * const handle = await startWorkerDev('/app/dist/cloudflare');
 * http.createServer(handle.listener).listen(8787);
 */
export async function startWorkerDev(dir: string, options: WorkerdOptions = {}): Promise<DevHandle> {
  if (session && session.dir === dir) {
    const worker = await session.worker;
    await worker.reload();
  } else {
    const previous = session;
    session = { dir, worker: startWorkerd(dir, options), handles: 0 };
    if (previous) void previous.worker.then((w) => w.close());
  }
  const current = session;
  current.handles++;
  let worker: RunningWorker;
  try {
    worker = await current.worker;
  } catch (error) {
    if (session === current) session = undefined;
    throw error;
  }
  let closed = false;
  return {
    listener: (req, res) => proxyTo(worker.url, req, res),
    async close() {
      if (closed) return;
      closed = true;
      // The next build's handle took over this workerd; stop it only when no handle is left.
      if (--current.handles === 0) {
        if (session === current) session = undefined;
        await worker.close();
      }
    },
  };
}

/** Forward one request to workerd and stream the answer back, both bodies piped. */
function proxyTo(origin: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const upstream = httpRequest(
      { host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', () => {
          res.destroy();
          resolve();
        });
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`workerd did not answer: ${error.message}\n`);
      resolve();
    });
    // The client went away: stop the work in workerd too (the app sees request.signal abort).
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
}
