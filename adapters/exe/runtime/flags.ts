/**
 * The executable's command line: `app [--port <n>] [--host <addr>] [--socket <path>] [--open]
 * [--help] [--version]`, over `PORT`/`HOST` from the environment, over the defaults baked in from
 * bundle.config.ts (`exe: { port, host, socket }`).
 *
 * Run time only: no dependencies, so a mistyped flag costs nothing to report.
 */

/** Where and how the executable starts. */
export interface ExeCommand {
  /** What to do: serve, or print the help or the version and exit 0. */
  action: 'serve' | 'help' | 'version';
  port: number;
  host: string | undefined;
  socket: string | undefined;
  /** Open the served URL in the default browser once listening. */
  open: boolean;
}

/** The listening defaults the exe target bakes in. */
export interface ExeListenDefaults {
  port: number;
  host: string | undefined;
  socket: string | undefined;
}

/**
 * Read argv (without the executable itself) and the environment. Throws an Error whose message
 * is one line naming the fix.
 *
 * @example
 * parseExeArgs(['--port', '8080', '--open'], {}, { port: 3000, host: '127.0.0.1', socket: undefined });
 * // { action: 'serve', port: 8080, host: '127.0.0.1', socket: undefined, open: true }
 */
export function parseExeArgs(argv: readonly string[], env: Record<string, string | undefined>, defaults: ExeListenDefaults): ExeCommand {
  const flags: Record<string, string> = {};
  let action: ExeCommand['action'] = 'serve';
  let open = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') action = 'help';
    else if (arg === '--version' || arg === '-v') action = action === 'help' ? 'help' : 'version';
    else if (arg === '--open') open = true;
    else {
      const match = /^--(port|host|socket)(?:=([^]*))?$/.exec(arg);
      if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)}; see --help`);
      const value = match[2] ?? argv[++i];
      if (value === undefined || value === '') throw new Error(`--${match[1]} needs a value; see --help`);
      flags[match[1]!] = value;
    }
  }
  const portText = flags.port ?? (env.PORT || undefined);
  let port = defaults.port;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port > 65535) {
      throw new Error(`${flags.port !== undefined ? '--port' : 'PORT'} must be a port number (0-65535), got ${JSON.stringify(portText)}`);
    }
  }
  // A --port or --host on the command line means TCP even when a socket was baked in.
  const tcpAsked = flags.port !== undefined || flags.host !== undefined;
  return {
    action,
    port,
    host: flags.host ?? (env.HOST || undefined) ?? defaults.host,
    socket: flags.socket ?? (tcpAsked ? undefined : defaults.socket),
    open,
  };
}

/**
 * The `--help` text, with the baked defaults.
 *
 * @example
 * console.log(exeUsage('shop', { port: 3000, host: '127.0.0.1', socket: undefined }));
 */
export function exeUsage(name: string, defaults: ExeListenDefaults): string {
  return [
    `usage: ${name} [--port <n>] [--host <addr>] [--socket <path>] [--open]`,
    '',
    `  --port <n>        TCP port (number, default: PORT, else ${defaults.port}; 0 picks a free one)`,
    `  --host <addr>     interface to bind (string, default: HOST, else ${defaults.host ?? 'all interfaces'})`,
    `  --socket <path>   listen on a unix socket instead (string, default: ${defaults.socket ?? 'none'})`,
    '  --open            open the app in the default browser once it listens',
    '  --help, -h        print this help',
    '  --version, -v     print the version',
  ].join('\n');
}
