/**
 * The primary of daemon mode: a small process that never loads the app. It clears a stale unix
 * socket, runs N workers through node:cluster on one shared listening socket (see below),
 * replaces a worker that dies (at once if it had served a while, with a doubling
 * delay if it dies young, giving up with one line when GIVE_UP_AFTER die before listening and
 * none serves), recycles a worker that served `--max-requests` (replacement first), replaces
 * all one by one on SIGHUP (a replacement that cannot start stops the reload; the old workers
 * go on), and on SIGTERM/SIGINT drains every worker, removes the socket and exits 0.
 *
 * Scheduling: every worker accepts on the one socket, which the primary opens and keeps open
 * (cluster's SCHED_NONE), rather than cluster's default round-robin, where the primary accepts
 * each connection and passes it to a worker over IPC. Round-robin loses more than a killed
 * worker's in-flight requests: a connection passed to a worker that dies before taking it stays
 * open in the primary, unserved (cluster's RoundRobinHandle.handoff closes it only on the
 * worker's reply), and nginx waited fastcgi_read_timeout (60 s) for it in one of six runs of
 * test/daemon/fastcgi-nginx.test.ts's SIGKILL case under NODE_CLUSTER_SCHED_POLICY=rr. With a
 * shared socket a dead worker's connections close with it, the primary touches no connection
 * (no extra hop), and the socket and its accept queue live in the primary while workers come
 * and go. NODE_CLUSTER_SCHED_POLICY=rr brings round-robin back.
 *
 * Run time only. Loaded with `import()` by a built server's main, and node:cluster inside it
 * too, so a server running as one process loads neither.
 */
import type { Worker } from 'node:cluster';
import { lstatSync, unlinkSync } from 'node:fs';
import { clearStaleSocket } from '../_node/stale-socket.ts';
import { GIVE_UP_AFTER, nextRapidDeaths, respawnDelay } from './policy.ts';
import { isPorticoMessage, WORKER_ENV } from './role.ts';
import type { DaemonSettings } from './settings.ts';

/** Options of `runPrimary`. */
export interface PrimaryOptions {
  /** The app's name, for the process titles. */
  name: string;
  /** What a fatal line starts with, e.g. 'server.mjs'. */
  label: string;
  settings: DaemonSettings;
  /** Unix socket paths the workers may listen on: a stale one is cleared before they start. */
  socketPaths: string[];
  /** The line printed once the first worker listens. */
  listeningLine: (url: string, workers: number) => string;
  /** How long a drained worker may take before it is killed, ms. Default 10000 (+5000 of slack). */
  gracefulTimeout?: number;
}

/** One worker as the primary tracks it. */
interface Slot {
  worker: Worker;
  started: number;
  ready: boolean;
  draining: boolean;
  /** The worker this one will replace once it listens (recycle, reload). */
  replaces?: Slot;
  /** This worker's replacement, starting. */
  replacement?: Slot;
  /** Why it was started. */
  kind: 'fill' | 'recycle' | 'reload';
  /** Resolves true once it listens, false if it exits first. */
  settled: Promise<boolean>;
  settle(ok: boolean): void;
}

const log = (line: string): void => console.log(`[portico] ${line}`);

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

function removeSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // gone already: node removes a unix socket when its server closes
  }
}

/**
 * Run the primary until it is told to stop; never returns (the process exits).
 *
 * @example
 * if (needsPrimary(settings)) await runPrimary({ name: 'shop', label: 'server.mjs', settings, socketPaths: [], listeningLine: (url, n) => `listening on ${url} (${n} workers)` });
 */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { default: cluster } = await import('node:cluster');
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const { settings } = options;
  const graceful = (options.gracefulTimeout ?? 10_000) + 5_000;
  process.title = `portico: primary ${options.name}`;
  for (const path of options.socketPaths) {
    try {
      await clearStaleSocket(path);
    } catch (error) {
      console.error(`${options.label}: ${(error as Error).message}`);
      process.exit(1);
    }
  }

  const slots = new Set<Slot>();
  let stopping = false;
  let announced = false;
  let listenedOn: string | undefined;
  let rapid = 0;
  let bootFailures = 0;
  let refill: ReturnType<typeof setTimeout> | undefined;
  let reloading = false;

  const live = (): Slot[] => [...slots].filter((s) => !s.draining && s.replaces === undefined);
  const serving = (): number => [...slots].filter((s) => s.ready && !s.draining).length;

  function spawn(kind: Slot['kind'], replaces?: Slot): Slot {
    const worker = cluster.fork({ [WORKER_ENV]: '1' });
    let settle!: (ok: boolean) => void;
    const settled = new Promise<boolean>((resolve) => (settle = resolve));
    const slot: Slot = { worker, started: Date.now(), ready: false, draining: false, kind, settled, settle, ...(replaces ? { replaces } : {}) };
    if (replaces) replaces.replacement = slot;
    slots.add(slot);
    worker.on('message', (message: unknown) => {
      if (!isPorticoMessage(message)) return;
      if (message.portico === 'ready') onReady(slot, message.url);
      else if (message.portico === 'listen-failed') void stop(1, undefined);
      else if (message.portico === 'recycle' && !stopping && !slot.draining && slot.replacement === undefined) {
        log(`worker ${worker.process.pid} served its --max-requests; starting its replacement`);
        spawn('recycle', slot);
      }
    });
    worker.on('exit', (code, signal) => onExit(slot, code, signal));
    return slot;
  }

  function onReady(slot: Slot, url: string): void {
    slot.ready = true;
    bootFailures = 0;
    slot.settle(true);
    if (!announced) {
      announced = true;
      listenedOn = url;
      log(options.listeningLine(url, settings.workers));
    }
    const old = slot.replaces;
    if (old !== undefined) {
      slot.replaces = undefined;
      old.replacement = undefined;
      drain(old);
    }
    fill();
  }

  /** Start workers until N are live; the first alone, so a bad start fails once, not N times. */
  function fill(): void {
    if (stopping || refill !== undefined) return;
    const running = live();
    if (!announced) {
      if (running.length === 0) spawn('fill');
      return;
    }
    for (let i = running.length; i < settings.workers; i++) spawn('fill');
  }

  function drain(slot: Slot): void {
    if (slot.draining) return;
    slot.draining = true;
    if (slot.worker.isConnected()) slot.worker.send({ portico: 'drain' });
    else slot.worker.process.kill('SIGTERM');
    setTimeout(() => slot.worker.process.kill('SIGKILL'), graceful).unref();
  }

  function onExit(slot: Slot, code: number | null, signal: string | null): void {
    slots.delete(slot);
    slot.settle(false);
    if (stopping) {
      if (slots.size === 0) finish();
      return;
    }
    if (slot.draining) return; // recycled or reloaded: its replacement serves already
    const lived = Date.now() - slot.started;
    rapid = nextRapidDeaths(rapid, lived);
    if (!slot.ready) bootFailures++;
    if (slot.replacement !== undefined) {
      // Its replacement, still starting, takes its place.
      slot.replacement.replaces = undefined;
      slot.replacement = undefined;
    }
    const how = describeExit(code, signal);
    if (bootFailures >= GIVE_UP_AFTER && serving() === 0) {
      console.error(`${options.label}: PORTICO_WORKERS_FAILING: ${bootFailures} workers in a row exited before listening (the last ${how}); the app does not start, see the errors above`);
      void stop(1, undefined);
      return;
    }
    const delay = respawnDelay(rapid);
    const old = slot.replaces;
    if (old !== undefined) {
      old.replacement = undefined;
      // A reload waits on `settled` and stops itself; a recycle tries again later.
      log(`a new worker ${how} before listening; worker ${old.worker.process.pid} goes on serving`);
      if (slot.kind === 'recycle') {
        setTimeout(() => {
          if (!stopping && slots.has(old) && !old.draining && old.replacement === undefined) spawn('recycle', old);
        }, delay).unref();
      }
      return;
    }
    log(`worker ${slot.worker.process.pid} ${how}; starting another${delay ? ` in ${delay} ms` : ''}`);
    if (delay === 0) fill();
    else refill = setTimeout(() => {
      refill = undefined;
      fill();
    }, delay);
  }

  async function reload(): Promise<void> {
    if (stopping || reloading) return;
    reloading = true;
    const olds = live();
    log(`SIGHUP: replacing ${olds.length} worker${olds.length === 1 ? '' : 's'} one by one`);
    let replaced = 0;
    for (const old of olds) {
      if (stopping) break;
      if (!slots.has(old) || old.draining || old.replacement !== undefined) continue;
      if (!(await spawn('reload', old).settled)) {
        log(`reload stopped after ${replaced} of ${olds.length}: the old workers go on serving`);
        reloading = false;
        return;
      }
      replaced++;
    }
    if (!stopping) log(`reload done: ${replaced} worker${replaced === 1 ? '' : 's'} replaced`);
    reloading = false;
  }

  let exitCode = 0;
  function finish(): void {
    // Only the socket the workers listened on (`unix:/path`); node usually removed it already.
    if (listenedOn?.startsWith('unix:')) removeSocket(listenedOn.slice('unix:'.length));
    process.exit(exitCode);
  }

  async function stop(code: number, signal: NodeJS.Signals | undefined): Promise<void> {
    if (stopping) {
      if (signal !== undefined) {
        // A second signal: do not wait any longer.
        for (const slot of slots) slot.worker.process.kill('SIGKILL');
        exitCode = 1;
      }
      return;
    }
    stopping = true;
    exitCode = code;
    if (refill !== undefined) clearTimeout(refill);
    if (signal !== undefined) log(`${signal}: finishing in-flight requests in ${slots.size} worker${slots.size === 1 ? '' : 's'} (up to ${graceful - 5_000} ms)`);
    if (slots.size === 0) return finish();
    for (const slot of slots) drain(slot);
  }

  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
  process.on('SIGINT', () => void stop(0, 'SIGINT'));
  process.on('SIGHUP', () => void reload());
  fill();
}
