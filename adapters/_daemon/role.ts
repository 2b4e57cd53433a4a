/**
 * Whether this process is a daemon-mode worker, and the messages a worker and its primary
 * exchange over the cluster IPC channel. The primary marks its workers through the environment
 * (node:cluster removes its own NODE_UNIQUE_ID before the app runs); the mark is read once and
 * removed, so the app, and any node it spawns, never sees it.
 *
 * Run time only, and free of node:cluster: every built server imports it.
 */

/** The variable the primary sets in a worker's environment. */
export const WORKER_ENV = 'PORTICO_DAEMON_WORKER';

const isWorker = process.env[WORKER_ENV] === '1';
delete process.env[WORKER_ENV];

/**
 * True in a worker of daemon mode: the primary owns the listening socket there (it cleared a
 * stale socket file before forking and removes the file at the end), so a worker must neither
 * probe nor remove it.
 *
 * @example
 * if (!inDaemonWorker()) await clearStaleSocket(path);
 */
export function inDaemonWorker(): boolean {
  return isWorker;
}

/** Worker → primary. */
export type WorkerMessage =
  /** Listening (through the primary's socket) at `url`. */
  | { portico: 'ready'; url: string }
  /** Could not listen (the line saying why is printed): no other worker will do better. */
  | { portico: 'listen-failed' }
  /** Served its `--max-requests`: start my replacement, then drain me. */
  | { portico: 'recycle' };

/** Primary → worker: stop accepting, finish in-flight requests and waitUntil work, exit 0. */
export type PrimaryMessage = { portico: 'drain' };

/**
 * Whether an IPC message is one of portico's (an app may use the channel too).
 *
 * @example
 * process.on('message', (m) => { if (isPorticoMessage(m)) ... });
 */
export function isPorticoMessage(message: unknown): message is WorkerMessage | PrimaryMessage {
  return typeof message === 'object' && message !== null && typeof (message as { portico?: unknown }).portico === 'string';
}
