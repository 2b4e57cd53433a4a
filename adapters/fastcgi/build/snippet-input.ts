/**
 * What the config writers (nginx-conf.ts, apache-conf.ts, lighttpd-conf.ts, systemd-units.ts)
 * need to know about a built classic app, gathered once from the build context.
 *
 * Every path in it is absolute (the built `dist/<t>/` folder where it was built), so the written
 * files work as they are when included from the web server's config: build on the machine (or at
 * the path) the app will run from, or rebuild after moving it.
 *
 * Build time only.
 */
import { join } from 'node:path';
import type { BuildContext, DevAddress } from '../../../src/bundle/target.ts';
import type { ClassicTargetOptions } from '../../../src/config/define.ts';
import { PorticoError } from '../../../src/config/errors.ts';
import { appName, type Transport } from './classic-options.ts';

/** Where a FastCGI/SCGI app listens: a unix socket, or a TCP host and port. */
export type ListenAddress = { socket: string } | { host: string; port: number };

export interface SnippetInput {
  transport: Transport;
  /** The app's name (`portico-<name>.service`, nginx upstream and variable names). */
  name: string;
  /** The mount point, '' or '/shop'. */
  basePath: string;
  /** Absolute `dist/<t>` folder. */
  dir: string;
  /** Absolute path of the built script (server.mjs or app.cgi). */
  script: string;
  /** Absolute path of the copied public/ folder, when the app has one. */
  publicDir: string | undefined;
  /** FastCGI/SCGI: where the app listens (and the web server connects); cgi: where fcgiwrap does. */
  address: ListenAddress;
  /** FastCGI/SCGI: bundle.config.ts asks for daemon mode (`workers` other than 1, or `maxRequests`): a primary that reloads on SIGHUP. */
  daemon: boolean;
  /** Whether the build has a source map (`sourcemap: true`): the command that starts the script applies it. */
  sourceMaps: boolean;
}

/**
 * The command line that starts server.mjs (systemd's ExecStart, lighttpd's bin-path), with
 * `--enable-source-maps` when the build has a map, so the app's stack traces name its sources.
 *
 * @example
 * startCommand(input); // '/usr/bin/env node /srv/shop/dist/fastcgi/server.mjs'
 */
export function startCommand(input: SnippetInput): string {
  return `/usr/bin/env node${input.sourceMaps ? ' --enable-source-maps' : ''} ${input.script}`;
}

/**
 * `unix:/run/x.sock` or `127.0.0.1:9000`: as nginx's fastcgi_pass, scgi_pass and upstream
 * servers write an address, and as `portico dev` prints it.
 *
 * @example
 * addressText({ host: '::1', port: 9000 }); // '[::1]:9000'
 */
export function addressText(address: ListenAddress): string {
  return 'socket' in address ? `unix:${address.socket}` : hostPort(address);
}

/**
 * `127.0.0.1:9000`, or `[::1]:9000` for an IPv6 host: a TCP address as every config file writes it.
 *
 * @example
 * hostPort({ host: '::1', port: 9000 }); // '[::1]:9000'
 */
export function hostPort(address: { host: string; port: number }): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

/**
 * `text` with every regex metacharacter escaped, to match it literally inside a pattern.
 *
 * @example
 * escapeRegex('/a.b'); // '/a\\.b'
 */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Each line prefixed with `by` (config blocks nest). */
export const indent = (lines: string[], by = '    '): string[] => lines.map((l) => by + l);

/** Where Debian's fcgiwrap.socket listens: the cgi target's nginx.conf passes requests there. */
export const DEBIAN_FCGIWRAP_SOCKET = '/run/fcgiwrap.socket';

/** The socket the snippets use when no address is configured (systemd's .socket creates it). */
export function defaultSocket(name: string): string {
  return `/run/portico/${name}.sock`;
}

/**
 * @example
 * const input = snippetInput(ctx, 'fastcgi', 'server.mjs', true);
 */
export function snippetInput(ctx: BuildContext, transport: Transport, scriptName: string, hasPublic: boolean): SnippetInput {
  const o = ctx.options as ClassicTargetOptions;
  const name = appName(ctx);
  return {
    transport,
    name,
    basePath: ctx.basePath,
    dir: ctx.outDir,
    script: join(ctx.outDir, scriptName),
    publicDir: hasPublic ? join(ctx.outDir, 'public') : undefined,
    sourceMaps: ctx.sourcemap,
    address: ctx.dev && ctx.devAddress ? devListenAddress(ctx, transport, name, ctx.devAddress) : configuredAddress(o, transport, name),
    daemon: transport !== 'cgi' && ((o.workers !== undefined && o.workers !== 1) || (o.maxRequests ?? 0) > 0),
  };
}

/** The address the target's options name (fcgiwrap's for cgi), else the default socket. */
function configuredAddress(o: ClassicTargetOptions, transport: Transport, name: string): ListenAddress {
  if (transport === 'cgi') return { socket: o.fcgiwrapSocket ?? DEBIAN_FCGIWRAP_SOCKET };
  return o.port !== undefined ? { host: o.host ?? '127.0.0.1', port: o.port } : { socket: o.socket ?? defaultSocket(name) };
}

/**
 * `portico dev --port/--host/--socket` over the configured address, the way the built server.mjs
 * takes them: `--socket` wins, then a `--port` or `--host` means TCP (the other from the config,
 * else 127.0.0.1 for the host). For cgi the only address is fcgiwrap's, so `--socket` names it.
 */
function devListenAddress(ctx: BuildContext, transport: Transport, name: string, flags: DevAddress): ListenAddress {
  const o = ctx.options as ClassicTargetOptions;
  if (transport === 'cgi') {
    if (flags.port !== undefined || flags.host !== undefined) {
      throw new PorticoError('PORTICO_BAD_FLAG', 'portico dev --target cgi takes no --port or --host: the web server runs app.cgi itself (use --socket for the fcgiwrap socket nginx.conf names)');
    }
    return flags.socket !== undefined ? { socket: flags.socket } : configuredAddress(o, transport, name);
  }
  if (flags.socket !== undefined) return { socket: flags.socket };
  if (flags.port === undefined && flags.host === undefined) return configuredAddress(o, transport, name);
  const port = flags.port ?? o.port;
  if (port === undefined || port === 0) {
    throw new PorticoError(
      'PORTICO_BAD_FLAG',
      `portico dev --target ${transport} needs a fixed TCP port (${port === 0 ? '--port 0 would pick one after the web server config is written' : `--host alone, and no ${transport}.port in bundle.config.ts`}): pass --port <number>`,
    );
  }
  return { host: flags.host ?? o.host ?? '127.0.0.1', port };
}

/** A name usable as an nginx upstream or variable name ([a-z0-9_]). */
export function identifier(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** A regex matching the mount and everything under it, never a sibling: `^/shop(/|$)` (or `^/` at the root). */
export function mountRegex(basePath: string): string {
  return basePath === '' ? '^/' : `^${escapeRegex(basePath)}(/|$)`;
}
