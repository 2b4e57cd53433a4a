/**
 * The `node` target (build time): `dist/node/server.mjs`, one ESM file with the app, portico's
 * Node runtime and every dependency inside, so it runs with no node_modules on Node 20, 22 and
 * 24; `public/` is copied to `dist/node/public` and served by the runtime's static option, and
 * native addons (`.node`) are copied to `dist/node/native/` (src/bundle/native-addons.ts).
 *
 *   node dist/node/server.mjs [--port 8080] [--host 0.0.0.0] [--socket /run/app.sock]
 *
 * Never imported by runtime code.
 */
import { join } from 'node:path';
import { nativeAddonFiles } from '../../../src/bundle/native-addons.ts';
import { nodePlatformOptions } from '../../../src/bundle/node-platform.ts';
import { devListenerOptions, nodeDevEntry } from '../../../src/bundle/node-dev-entry.ts';
import type { BuildContext, OutputFile, Target } from '../../../src/bundle/target.ts';
import type { NodeTargetOptions } from '../../../src/config/define.ts';
import { badOption, PorticoError } from '../../../src/config/errors.ts';
import { CACHE_CONTROL_EXPECTED, copyStaticFiles, isCacheControlOption, manifestExpression, staticManifestFor } from '../../../src/bundle/static-manifest.ts';
import type { BakedNodeOptions } from '../runtime/start.ts';
import { bakedLimits, isLimitOption, LIMIT_OPTIONS, limitValueOk } from '../../../src/bundle/limit-options.ts';
import { bakedDaemon, DAEMON_OPTIONS, daemonValueOk, isDaemonOption } from '../../../src/bundle/daemon-options.ts';
// The project's name, as the classic targets name their files; here only for process titles.
import { appName } from '../../fastcgi/build/classic-options.ts';

const KNOWN: Record<keyof Omit<NodeTargetOptions, 'lightResponse'>, string> = {
  port: 'a port number (0-65535)',
  host: 'a string such as "127.0.0.1" or "0.0.0.0"',
  socket: 'a string (a unix socket path)',
  trustProxy: 'true, false, or the trusted proxies as a string or array of IPs, CIDRs, "loopback", "private" or "linklocal"',
  maxBodySize: 'a positive integer (bytes)',
  handleSignals: 'true or false',
  static: 'true or false',
  ...LIMIT_OPTIONS,
  ...DAEMON_OPTIONS,
  staticCacheControl: CACHE_CONTROL_EXPECTED,
};

function check(name: keyof typeof KNOWN, value: unknown): void {
  const ok =
    name === 'port' ? Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535
    : name === 'host' || name === 'socket' ? typeof value === 'string' && value !== ''
    : name === 'trustProxy' ? typeof value === 'boolean' || typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    : name === 'maxBodySize' ? Number.isInteger(value) && (value as number) > 0
    : isLimitOption(name) ? limitValueOk(name, value)
    : isDaemonOption(name) ? daemonValueOk(name, value)
    : name === 'staticCacheControl' ? isCacheControlOption(value)
    : typeof value === 'boolean';
  if (!ok) throw badOption(`node.${name}`, KNOWN[name], value);
}

function baked(ctx: BuildContext): BakedNodeOptions {
  const o = ctx.options as NodeTargetOptions;
  return {
    ...bakedDaemon(o),
    name: appName(ctx),
    limits: bakedLimits(o),
    port: o.port ?? 3000,
    host: o.host,
    socket: o.socket,
    basePath: ctx.basePath,
    trustProxy: o.trustProxy ?? false,
    maxBodySize: o.maxBodySize,
    handleSignals: o.handleSignals ?? true,
    static: ctx.publicDir !== undefined && o.static !== false,
    ...(o.staticCacheControl !== undefined ? { staticCacheControl: o.staticCacheControl } : {}),
  };
}

export const target: Target = {
  name: 'node',
  description: 'a Node HTTP server: dist/node/server.mjs, one file, no node_modules (Node 20+)',

  resolveOptions(options) {
    const o = (options ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(o)) {
      if (!(key in KNOWN)) {
        throw new PorticoError('PORTICO_BAD_OPTION', `unknown option "node.${key}" (known: ${Object.keys(KNOWN).join(', ')}, lightResponse)`);
      }
      if (value !== undefined) check(key as keyof typeof KNOWN, value);
    }
    return o;
  },

  entrySource(ctx) {
    const app = JSON.stringify(ctx.entry);
    if (ctx.dev) {
      // The dev server calls this listener; static files come straight from the source folder,
      // through a live view of it, so a file saved while dev runs is served at once.
      const b = baked(ctx);
      return nodeDevEntry(ctx, { listener: devListenerOptions(b), static: b.static, staticCacheControl: b.staticCacheControl });
    }
    const b = baked(ctx);
    // The app is imported lazily (esbuild keeps a dynamic import() lazy inside one file), so
    // the primary of daemon mode (--workers) never evaluates it; a single process loads it at once.
    return [
      `import { start } from ${JSON.stringify(join(ctx.porticoRoot, 'adapters/node/runtime/start.ts'))};`,
      `start(() => import(${app}), ${JSON.stringify(b)}, import.meta.url${b.static ? `, ${manifestExpression(staticManifestFor(ctx)!)}` : ''});`,
      '',
    ].join('\n');
  },

  esbuildOptions(ctx) {
    // Resolution, format, target, the require banner and the addon plugin are shared by every
    // Node target (src/bundle/node-platform.ts), so a dependency bundles the same on each.
    return nodePlatformOptions({ outfile: join(ctx.outDir, ctx.dev ? 'app.mjs' : 'server.mjs'), outDir: ctx.outDir });
  },

  package(ctx, build) {
    const files: OutputFile[] = build.outputFiles
      .sort()
      .map((path) => ({ path, kind: path.endsWith('.map') ? 'map' : 'entry' }));
    for (const addon of nativeAddonFiles(ctx.outDir)) files.push({ path: join(ctx.outDir, addon), kind: 'native' });
    if (ctx.publicDir !== undefined && (ctx.options as NodeTargetOptions).static !== false && !ctx.dev) {
      for (const path of copyStaticFiles(staticManifestFor(ctx)!, ctx.publicDir, join(ctx.outDir, 'public'))) files.push({ path, kind: 'asset' });
    }
    return files;
  },

  async dev(_ctx, build) {
    const mod = (await import(build.url)) as { listener: (req: unknown, res: unknown) => void };
    return { listener: mod.listener as never };
  },
};
