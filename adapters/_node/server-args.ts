/**
 * The command line of a built server (node's `server.mjs` and the executable): `--port`,
 * `--host`, `--socket` and the limit flags, over `PORT`/`HOST`, over the values baked in from
 * bundle.config.ts. One parser, so both gateways take the same flags and say the same errors;
 * each adds its own switches (`--open`, `--version`) and help text around it.
 *
 * Run time only: no dependencies, so a mistyped flag costs nothing to report.
 */
import type { ServeOptions } from './serve.ts';

/**
 * The limits a built server takes from bundle.config.ts (`node: {...}`, `exe: {...}`) and from
 * its flags: `serve()`'s own options, where each is documented with its default.
 */
export type NodeLimits = Pick<ServeOptions, 'maxHeaderSize' | 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'responseTimeout' | 'streamIdleTimeout' | 'maxPipelined' | 'maxBodySize'>;

/**
 * Each limit flag: the limit it sets, its value's name, what it does, its default and what 0
 * means. Each takes a non-negative integer (ms, bytes or a count).
 */
const LIMIT_FLAGS: Record<string, [keyof NodeLimits, string, string, number, string?]> = {
  'max-header-size': ['maxHeaderSize', '<bytes>', 'largest request head; 431 beyond', 16384],
  'headers-timeout': ['headersTimeout', '<ms>', 'time to send the request head; 408 and closed after', 20000],
  'request-timeout': ['requestTimeout', '<ms>', 'time to send the whole request', 300000, '0: none'],
  'keep-alive-timeout': ['keepAliveTimeout', '<ms>', 'idle keep-alive connections close after', 5000],
  'response-timeout': ['responseTimeout', '<ms>', 'time for the app to answer; 504 after', 60000, '0: none'],
  'stream-idle-timeout': ['streamIdleTimeout', '<ms>', 'longest pause in a streamed response', 60000, '0: none'],
  'max-pipelined': ['maxPipelined', '<n>', 'pipelined answers in the making per connection', 16],
  'max-body-size': ['maxBodySize', '<bytes>', 'largest request body; 413 beyond', 104857600],
};

/**
 * The flag that sets a limit, e.g. `--max-pipelined` for `maxPipelined`.
 *
 * @example
 * limitFlag('responseTimeout'); // '--response-timeout'
 */
export function limitFlag(key: keyof NodeLimits): string {
  return `--${Object.keys(LIMIT_FLAGS).find((flag) => LIMIT_FLAGS[flag]![0] === key)}`;
}

/** Which limit flags `limitUsage` lists (default: all), and other words for some of them. */
export interface LimitUsageOptions {
  only?: readonly (keyof NodeLimits)[];
  text?: Partial<Record<keyof NodeLimits, string>>;
}

/**
 * The `--help` lines of the limit flags, in a 29-column flag column, each showing its default:
 * the value baked in from bundle.config.ts when there is one, else the runtime's. A runtime
 * that honours fewer limits (the bun executable) lists only those, in its own words.
 *
 * @example
 * limitUsage({ responseTimeout: 5000 }); // '  --max-header-size <bytes>  largest request head; 431 beyond (default 16384)\n...'
 * limitUsage({}, { only: ['maxBodySize'] }); // '  --max-body-size <bytes>    largest request body; 413 beyond (default 104857600)'
 */
export function limitUsage(baked: NodeLimits = {}, options: LimitUsageOptions = {}): string {
  return Object.entries(LIMIT_FLAGS)
    .filter(([, [key]]) => options.only === undefined || options.only.includes(key))
    .map(([flag, [key, value, text, fallback, zero]]) => {
      const left = `--${flag} ${value}`;
      return `  ${left.padEnd(left.length < 26 ? 26 : left.length)} ${options.text?.[key] ?? text} (default ${baked[key] ?? fallback}${zero ? `; ${zero}` : ''})`;
    })
    .join('\n');
}

/** Where to listen and the limits, as baked in at build time. */
export interface ServerDefaults {
  port: number;
  host: string | undefined;
  socket: string | undefined;
  /** Limits from bundle.config.ts; absent ones take the runtime's defaults. */
  limits?: NodeLimits;
}

/** What a built server's command line says. */
export interface ServerArgs {
  /** `--help` or `-h` was given: every other argument is ignored. */
  help: boolean;
  port: number;
  host: string | undefined;
  socket: string | undefined;
  limits: NodeLimits;
  /** The valueless switches given (from the caller's list), e.g. `--open`. */
  switches: Set<string>;
}

/**
 * Parse a built server's arguments over the environment and the baked defaults. `switches` are
 * the valueless flags the caller takes besides `--help`; `hint` ends every error. Throws an
 * Error whose message is one line naming the fix.
 *
 * A `--port` or `--host` on the command line means TCP even when a socket was baked in.
 *
 * @example
 * parseServerArgs(['--port', '8080', '--response-timeout=5000', '--open'], {}, { port: 3000, host: undefined, socket: undefined }, ['--open'], 'see --help');
 * // { help: false, port: 8080, host: undefined, socket: undefined, limits: { responseTimeout: 5000 }, switches: Set { '--open' } }
 */
export function parseServerArgs(argv: readonly string[], env: Record<string, string | undefined>, defaults: ServerDefaults, switches: readonly string[], hint: string): ServerArgs {
  const flags: Record<string, string> = {};
  const limits: NodeLimits = { ...defaults.limits };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true, port: defaults.port, host: defaults.host, socket: defaults.socket, limits, switches: given };
    if (switches.includes(arg)) {
      given.add(arg);
      continue;
    }
    const match = /^--([a-z-]+)(?:=([^]*))?$/.exec(arg);
    const name = match?.[1];
    if (!match || !(name === 'port' || name === 'host' || name === 'socket' || name! in LIMIT_FLAGS)) {
      throw new Error(`unknown argument ${JSON.stringify(arg)}; ${hint}`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`--${name} needs a value; ${hint}`);
    if (name! in LIMIT_FLAGS) {
      if (!/^\d{1,15}$/.test(value)) throw new Error(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
      limits[LIMIT_FLAGS[name!]![0]] = Number(value);
    } else flags[name!] = value;
  }
  const portText = flags.port ?? (env.PORT || undefined);
  let port = defaults.port;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port > 65535) {
      throw new Error(`${flags.port !== undefined ? '--port' : 'PORT'} must be a port number (0-65535), got ${JSON.stringify(portText)}`);
    }
  }
  const tcpAsked = flags.port !== undefined || flags.host !== undefined;
  return {
    help: false,
    port,
    host: flags.host ?? (env.HOST || undefined) ?? defaults.host,
    socket: flags.socket ?? (tcpAsked ? undefined : defaults.socket),
    limits,
    switches: given,
  };
}

/**
 * The `serve()` options a command line gives: where to listen and the limits, with the baked
 * `maxBodySize` under a `--max-body-size` flag.
 *
 * @example
 * serve(app, { ...serveArgs(args, baked.maxBodySize), basePath: '', gateway: 'exe' });
 */
export function serveArgs(args: Pick<ServerArgs, 'port' | 'host' | 'socket' | 'limits'>, bakedMaxBodySize: number | undefined): ServeOptions {
  const { maxBodySize = bakedMaxBodySize, ...limits } = args.limits;
  return {
    ...(args.socket !== undefined ? { socket: args.socket } : { port: args.port, host: args.host }),
    ...(maxBodySize !== undefined ? { maxBodySize } : {}),
    ...limits,
  };
}
