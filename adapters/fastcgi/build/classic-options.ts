/**
 * The options of the three classic targets (`fastcgi`, `scgi`, `cgi` in bundle.config.ts):
 * checked at build time, then baked into the built script as `BakedClassicOptions`. Shared by
 * adapters/{fastcgi,scgi,cgi}/build/target.ts (the fastcgi folder holds what the three share).
 *
 * Build time only: never imported by runtime code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BakedClassicOptions } from '../../_cgi/options.ts';
import type { BuildContext } from '../../../src/bundle/target.ts';
import type { ClassicTargetOptions } from '../../../src/config/define.ts';
import { badOption, PorticoError } from '../../../src/config/errors.ts';
import { bakedDaemon, DAEMON_OPTIONS, daemonValueOk } from '../../../src/bundle/daemon-options.ts';

/** The three classic transports. */
export type Transport = 'fastcgi' | 'scgi' | 'cgi';

const COMMON = {
  trustProxy: 'true, false, or the trusted proxies as a string or array of IPs, CIDRs, "loopback", "private" or "linklocal"',
  maxBodySize: 'a positive integer (bytes)',
  maxParamsSize: 'a positive integer (bytes)',
  name: 'a name of letters, digits, ".", "_" or "-" (used in portico-<name>.service)',
} as const;

const SOCKET = {
  socket: 'an absolute unix socket path, such as "/run/portico/app.sock"',
  port: 'a port number (1-65535)',
  host: 'a string such as "127.0.0.1"',
  socketMode: 'file permissions as a number, such as 0o660 (the web server\'s user must be able to connect)',
  handleSignals: 'true or false',
  ...DAEMON_OPTIONS,
} as const;

const CGI = {
  shebang: 'a "#!" line, such as "#!/usr/bin/env node" or "#!/usr/bin/node"',
  fcgiwrapSocket: 'an absolute unix socket path, such as "/run/fcgiwrap.socket"',
} as const;

/** What each transport accepts, with the expected-value text of its error. */
function known(transport: Transport): Record<string, string> {
  return transport === 'cgi' ? { ...COMMON, ...CGI } : { ...COMMON, ...SOCKET };
}

function valid(name: string, value: unknown): boolean {
  switch (name) {
    case 'port':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
    case 'host':
      return typeof value === 'string' && value !== '';
    case 'socket':
    case 'fcgiwrapSocket':
      return typeof value === 'string' && value.startsWith('/');
    case 'trustProxy':
      return typeof value === 'boolean' || typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    case 'socketMode':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0o777;
    case 'workers':
    case 'maxRequests':
    case 'maxRequestsJitter':
      return daemonValueOk(name, value);
    case 'maxBodySize':
    case 'maxParamsSize':
      return Number.isInteger(value) && (value as number) > 0;
    case 'name':
      return typeof value === 'string' && /^[A-Za-z0-9._-]+$/.test(value);
    case 'shebang':
      return typeof value === 'string' && value.startsWith('#!') && !value.includes('\n');
    default:
      return typeof value === 'boolean';
  }
}

/**
 * Check a classic target's options; throw PORTICO_BAD_OPTION naming the bad one.
 *
 * @example
 * checkClassicOptions('fastcgi', { socket: '/run/portico/shop.sock' });
 */
export function checkClassicOptions(transport: Transport, options: unknown): Record<string, unknown> {
  const o = (options ?? {}) as Record<string, unknown>;
  const names = known(transport);
  for (const [key, value] of Object.entries(o)) {
    if (!(key in names)) {
      throw new PorticoError('PORTICO_BAD_OPTION', `unknown option "${transport}.${key}" (known: ${Object.keys(names).join(', ')}, lightResponse)`);
    }
    if (value !== undefined && !valid(key, value)) throw badOption(`${transport}.${key}`, names[key]!, value);
  }
  if (o.socket !== undefined && o.port !== undefined) {
    throw new PorticoError('PORTICO_BAD_OPTION', `"${transport}.socket" and "${transport}.port" are both set; keep one (a unix socket or a TCP port)`);
  }
  return o;
}

/**
 * The options the built script starts with. Only a configured address is baked: with none, the
 * runtime takes systemd's socket (LISTEN_FDS), a listening socket on fd 0, or its flags.
 *
 * @example
 * start(() => import(app), bakeClassicOptions(ctx));
 */
export function bakeClassicOptions(ctx: BuildContext): BakedClassicOptions {
  const o = ctx.options as ClassicTargetOptions;
  const baked: BakedClassicOptions = {
    ...bakedDaemon(o),
    basePath: ctx.basePath,
    trustProxy: o.trustProxy ?? false,
    handleSignals: o.handleSignals ?? true,
  };
  if (o.maxBodySize !== undefined) baked.maxBodySize = o.maxBodySize;
  if (o.maxParamsSize !== undefined) baked.maxParamsSize = o.maxParamsSize;
  if (o.socket !== undefined) baked.socket = o.socket;
  if (o.port !== undefined) baked.port = o.port;
  if (o.host !== undefined) baked.host = o.host;
  if (o.socketMode !== undefined) baked.socketMode = o.socketMode;
  return baked;
}

/**
 * The app's name in generated files (`portico-<name>.service`, the default socket path):
 * `<t>.name`, else the project's package.json name (scope dropped), else the root folder's name.
 *
 * @example
 * appName(ctx); // 'shop'
 */
export function appName(ctx: BuildContext): string {
  const configured = (ctx.options as ClassicTargetOptions).name;
  if (configured) return configured;
  let name = basename(ctx.root);
  const pkg = join(ctx.root, 'package.json');
  if (existsSync(pkg)) {
    try {
      const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
      if (typeof parsed.name === 'string' && parsed.name) name = parsed.name.replace(/^@[^/]*\//, '');
    } catch {
      // A broken package.json is the user's to fix elsewhere; the folder name will do here.
    }
  }
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'app';
}
