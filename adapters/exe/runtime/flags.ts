/**
 * The executable's command line: `app [--port <n>] [--host <addr>] [--socket <path>] [--open]
 * [limit flags] [--help] [--version]`, over `PORT`/`HOST` from the environment, over the
 * defaults baked in from bundle.config.ts (`exe: { port, host, socket, responseTimeout, ... }`).
 * The listening and limit flags are node's `server.mjs` flags, parsed by the same code
 * (adapters/_node/server-args.ts); `--open` and `--version` are the executable's own.
 *
 * Run time only: no dependencies, so a mistyped flag costs nothing to report.
 */
import { limitUsage, parseServerArgs, type LimitUsageOptions, type NodeLimits, type ServerDefaults } from '../../_node/server-args.ts';

/** Where and how the executable starts. */
export interface ExeCommand {
  /** What to do: serve, or print the help or the version and exit 0. */
  action: 'serve' | 'help' | 'version';
  port: number;
  host: string | undefined;
  socket: string | undefined;
  /** Open the served URL in the default browser once listening. */
  open: boolean;
  /** The limits: flags over the baked ones. */
  limits: NodeLimits;
}

/** The listening defaults and limits the exe target bakes in (`maxBodySize` apart, as node's). */
export type ExeListenDefaults = ServerDefaults & { maxBodySize?: number | undefined };

/**
 * Read argv (without the executable itself) and the environment. Throws an Error whose message
 * is one line naming the fix.
 *
 * @example
 * parseExeArgs(['--port', '8080', '--open'], {}, { port: 3000, host: '127.0.0.1', socket: undefined });
 * // { action: 'serve', port: 8080, host: '127.0.0.1', socket: undefined, open: true, limits: {} }
 */
export function parseExeArgs(argv: readonly string[], env: Record<string, string | undefined>, defaults: ExeListenDefaults): ExeCommand {
  const args = parseServerArgs(argv, env, defaults, ['--open', '--version', '-v'], 'see --help');
  const version = args.switches.has('--version') || args.switches.has('-v');
  return {
    action: args.help ? 'help' : version ? 'version' : 'serve',
    port: args.port,
    host: args.host,
    socket: args.socket,
    open: args.switches.has('--open'),
    limits: args.limits,
  };
}

/**
 * The `--help` text, with the baked defaults; `limits` narrows the limit flags to those the
 * runtime inside honours (the bun executable's, runtime/bun-limits.ts).
 *
 * @example
 * console.log(exeUsage('shop', { port: 3000, host: '127.0.0.1', socket: undefined }));
 */
export function exeUsage(name: string, defaults: ExeListenDefaults, limits: LimitUsageOptions = {}): string {
  return [
    `usage: ${name} [--port <n>] [--host <addr>] [--socket <path>] [--open] [limits]`,
    '',
    `  --port <n>                 TCP port (number, default: PORT, else ${defaults.port}; 0 picks a free one)`,
    `  --host <addr>              interface to bind (string, default: HOST, else ${defaults.host ?? 'all interfaces'})`,
    `  --socket <path>            listen on a unix socket instead (string, default: ${defaults.socket ?? 'none'})`,
    '  --open                     open the app in the default browser once it listens',
    limitUsage({ maxBodySize: defaults.maxBodySize, ...defaults.limits }, limits),
    '  -h, --help                 print this help',
    '  -v, --version              print the version',
  ].join('\n');
}
