/**
 * Where a FastCGI or SCGI server listens, from (in this order) its flags, its environment, a
 * socket systemd hands over, a listening socket on fd 0 (lighttpd `bin-path`, spawn-fcgi,
 * mod_fcgid), and the address baked in from bundle.config.ts.
 */
import { fstatSync } from 'node:fs';

/** A place to listen. */
export type ListenAddress =
  | { kind: 'socket'; path: string }
  | { kind: 'port'; port: number; host: string | undefined }
  /** An inherited listening socket: fd 3 from systemd, fd 0 from a web server. */
  | { kind: 'fd'; fd: number; from: 'systemd' | 'fd 0' };

/** The flags a server script takes. */
export interface ServerFlags {
  address: ListenAddress | undefined;
  help: boolean;
}

/** The usage text of a built server script. */
export function usage(script: string, protocol: string): string {
  return [
    `usage: node ${script} [--socket <path> | --port <n> [--host <addr>]]`,
    '',
    `Serves the bundled app over ${protocol}. Where it listens, first found wins:`,
    '  --socket <path>        a unix socket (a stale socket file is replaced; removed on exit)',
    '  --port <n>             a TCP port (0-65535) on --host (default 127.0.0.1)',
    '  PORTICO_SOCKET, PORT, HOST   the same, from the environment',
    '  LISTEN_FDS/LISTEN_PID  a socket systemd passes (fd 3)',
    '  fd 0                   a listening socket the web server passes (lighttpd bin-path, spawn-fcgi)',
    '  bundle.config.ts       the socket or port baked in at build time',
    '',
    'SIGTERM or SIGINT finishes in-flight requests, then exits.',
  ].join('\n');
}

function portOf(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) throw new Error(`${what} must be a port number (0-65535), got ${JSON.stringify(text)}`);
  return port;
}

/**
 * Read the flags. Throws an Error whose message is one line naming the fix.
 *
 * @example
 * parseFlags(['--port', '9000']); // { address: { kind: 'port', port: 9000, host: undefined }, help: false }
 */
export function parseFlags(argv: readonly string[]): ServerFlags {
  const flags: Record<string, string> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const match = /^--(port|host|socket)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${match[1]} needs a value (see --help)`);
    flags[match[1]!] = value;
  }
  if (flags.socket !== undefined && flags.port !== undefined) throw new Error('give --socket or --port, not both');
  if (flags.host !== undefined && flags.port === undefined) throw new Error('--host needs --port');
  let address: ListenAddress | undefined;
  if (flags.socket !== undefined) address = { kind: 'socket', path: flags.socket };
  else if (flags.port !== undefined) address = { kind: 'port', port: portOf(flags.port, '--port'), host: flags.host };
  return { address, help };
}

/** Whether fd 0 is a socket: the only case worth trying to listen on it. */
function stdinIsSocket(): boolean {
  try {
    return fstatSync(0).isSocket();
  } catch {
    return false;
  }
}

/**
 * Settle where to listen. `fd 0` is offered only when it is a socket; whether it is a
 * *listening* one shows when the server tries it (`listen()` on a connected socket, as when a
 * parent process pipes our stdin, fails and the next choice is taken).
 *
 * @example
 * resolveAddress(undefined, { PORT: '9000' }, {}); // [{ kind: 'port', port: 9000, host: undefined }]
 */
export function resolveAddress(
  flag: ListenAddress | undefined,
  env: Record<string, string | undefined>,
  baked: { socket?: string; port?: number; host?: string },
  pid = process.pid,
  fd0IsSocket = stdinIsSocket,
): ListenAddress[] {
  if (flag) return [flag];
  if (env.PORTICO_SOCKET) return [{ kind: 'socket', path: env.PORTICO_SOCKET }];
  if (env.PORT) return [{ kind: 'port', port: portOf(env.PORT, 'PORT'), host: env.HOST || baked.host }];
  const choices: ListenAddress[] = [];
  if (env.LISTEN_FDS && Number(env.LISTEN_FDS) >= 1 && (!env.LISTEN_PID || Number(env.LISTEN_PID) === pid)) {
    return [{ kind: 'fd', fd: 3, from: 'systemd' }];
  }
  if (fd0IsSocket()) choices.push({ kind: 'fd', fd: 0, from: 'fd 0' });
  if (baked.socket) choices.push({ kind: 'socket', path: baked.socket });
  else if (baked.port !== undefined) choices.push({ kind: 'port', port: baked.port, host: env.HOST || baked.host });
  return choices;
}

/** How an address reads in a log line. */
export function showAddress(address: ListenAddress): string {
  if (address.kind === 'socket') return `unix:${address.path}`;
  if (address.kind === 'fd') return address.from === 'systemd' ? 'the systemd socket (fd 3)' : 'the socket on fd 0';
  const host = address.host ?? '127.0.0.1';
  return `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * Where the options of `serveFastCGI`/`serveSCGI` say to listen.
 *
 * @example
 * addressOf({ port: 9000 }); // [{ kind: 'port', port: 9000, host: undefined }]
 */
export function addressOf(options: { socket?: string; port?: number; host?: string; fd?: number }): ListenAddress[] {
  if (options.socket) return [{ kind: 'socket', path: options.socket }];
  if (options.fd !== undefined) return [{ kind: 'fd', fd: options.fd, from: options.fd === 0 ? 'fd 0' : 'systemd' }];
  if (options.port !== undefined) {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new TypeError(`PORTICO_BAD_OPTION: "port" must be a port number (0-65535), got ${String(options.port)}`);
    }
    return [{ kind: 'port', port: options.port, host: options.host }];
  }
  return [];
}
