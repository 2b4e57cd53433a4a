/**
 * The exe target's options (`exe: {...}` in bundle.config.ts): checks, and what gets baked
 * into the executable.
 *
 * Build time only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { BuildContext } from '../../../src/bundle/target.ts';
import type { ExeTargetOptions } from '../../../src/config/define.ts';
import { badOption, PorticoError } from '../../../src/config/errors.ts';
import { bakedLimits, isLimitOption, LIMIT_OPTIONS, limitValueOk } from '../../../src/bundle/limit-options.ts';
import { CACHE_CONTROL_EXPECTED, isCacheControlOption } from '../../../src/bundle/static-manifest.ts';
import { bunLimitProblem } from '../runtime/bun-limits.ts';
import type { BakedExeOptions } from '../runtime/start.ts';

const KNOWN: Record<keyof Omit<ExeTargetOptions, 'lightResponse'>, string> = {
  name: 'a file name without a folder, such as "shop"',
  platform: 'a platform name such as "linux-x64", "linux-arm64" or "win-x64"',
  runtime: '"node" or "bun"',
  port: 'a port number (0-65535)',
  host: 'a string such as "127.0.0.1" or "0.0.0.0"',
  socket: 'a string (a unix socket path)',
  trustProxy: 'true, false, or the trusted proxies as a string or array of IPs, CIDRs, "loopback", "private" or "linklocal"',
  maxBodySize: 'a positive integer (bytes)',
  ...LIMIT_OPTIONS,
  static: 'true or false',
  staticCacheControl: CACHE_CONTROL_EXPECTED,
  version: 'a string such as "1.2.0"',
  sign: 'an object { cert, key, password? } of PEM file paths',
};

function ok(name: keyof typeof KNOWN, value: unknown): boolean {
  if (isLimitOption(name)) return limitValueOk(name, value);
  switch (name) {
    case 'name':
      return typeof value === 'string' && /^[^/\\\0:*?"<>|]+$/.test(value) && value !== '.' && value !== '..';
    case 'port':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535;
    case 'trustProxy':
      return typeof value === 'boolean' || typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    case 'maxBodySize':
      return Number.isInteger(value) && (value as number) > 0;
    case 'static':
      return typeof value === 'boolean';
    case 'runtime':
      return value === 'node' || value === 'bun';
    case 'staticCacheControl':
      return isCacheControlOption(value);
    case 'sign': {
      const s = value as Record<string, unknown> | null;
      return typeof s === 'object' && s !== null && typeof s.cert === 'string' && typeof s.key === 'string' && (s.password === undefined || typeof s.password === 'string');
    }
    default:
      return typeof value === 'string' && value !== '';
  }
}

/**
 * Check `exe: {...}`; the platform name itself is checked when building (platformInfo). With
 * runtime bun, a limit Bun cannot honour fails the build (runtime/bun-limits.ts): baked in, it
 * would be ignored.
 *
 * @example
 * resolveExeOptions({ port: 8080 }); // { port: 8080 }
 * resolveExeOptions({ runtime: 'bun', maxPipelined: 4 }); // throws PORTICO_EXE_BUN_LIMIT: exe.maxPipelined is not available with --runtime bun (...)
 */
export function resolveExeOptions(options: unknown): ExeTargetOptions {
  const o = (options ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(o)) {
    if (!(key in KNOWN)) throw new PorticoError('PORTICO_BAD_OPTION', `unknown option "exe.${key}" (known: ${Object.keys(KNOWN).join(', ')}, lightResponse)`);
    if (value !== undefined && !ok(key as keyof typeof KNOWN, value)) throw badOption(`exe.${key}`, KNOWN[key as keyof typeof KNOWN], value);
  }
  if (o.runtime === 'bun') {
    for (const [key, value] of Object.entries(o)) {
      const problem = value !== undefined && isLimitOption(key) ? bunLimitProblem(key, value as number, `exe.${key}`) : undefined;
      if (problem !== undefined) throw new PorticoError('PORTICO_EXE_BUN_LIMIT', problem);
    }
  }
  return o as ExeTargetOptions;
}

function packageJson(root: string): { name?: unknown; version?: unknown } {
  const path = join(root, 'package.json');
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * The executable's base name: exe.name, else package.json's name (scope dropped), else the
 * entry's file name.
 *
 * @example
 * exeName(ctx); // 'shop'
 */
export function exeName(ctx: BuildContext): string {
  const o = ctx.options as ExeTargetOptions;
  if (o.name) return o.name;
  const name = packageJson(ctx.root).name;
  if (typeof name === 'string' && name !== '') return name.replace(/^@[^/]+\//, '');
  return basename(ctx.entry, extname(ctx.entry));
}

/**
 * What the executable starts with.
 *
 * @example
 * bakedExe(ctx); // { name: 'shop', version: '1.0.0', port: 3000, host: '127.0.0.1', ... }
 */
export function bakedExe(ctx: BuildContext): BakedExeOptions {
  const o = ctx.options as ExeTargetOptions;
  const version = packageJson(ctx.root).version;
  return {
    name: exeName(ctx),
    version: o.version ?? (typeof version === 'string' ? version : '0.0.0'),
    port: o.port ?? 3000,
    host: o.host ?? '127.0.0.1',
    socket: o.socket,
    basePath: ctx.basePath,
    trustProxy: o.trustProxy ?? false,
    maxBodySize: o.maxBodySize,
    limits: bakedLimits(o),
    static: ctx.publicDir !== undefined && o.static !== false,
    ...(o.staticCacheControl !== undefined ? { staticCacheControl: o.staticCacheControl } : {}),
    lightResponse: ctx.lightResponse,
  };
}
