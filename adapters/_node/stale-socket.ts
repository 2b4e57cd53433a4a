/**
 * Before listening on a unix socket path (node's `serve()`, the fastcgi and scgi servers): a
 * leftover socket file of a crashed server is removed; a live one, or a file that is not a
 * socket, is an error that names the fix.
 *
 * Run time only.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { inDaemonWorker } from '../_daemon/role.ts';

/**
 * @example
 * await clearStaleSocket('/run/portico/app.sock'); // removes it unless a server answers there
 */
export async function clearStaleSocket(path: string): Promise<void> {
  // In a daemon-mode worker the primary owns the path: it cleared it before forking, and a probe
  // here would find the primary itself listening.
  if (inDaemonWorker()) return;
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // no file
  }
  if (!isSocket) throw new Error(`PORTICO_SOCKET_IN_USE: ${path} exists and is not a socket; choose another socket path`);
  const alive = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`PORTICO_SOCKET_IN_USE: a server already listens on ${path}; stop it or choose another socket path`);
  unlinkSync(path);
}
