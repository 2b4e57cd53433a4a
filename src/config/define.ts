/**
 * The `portico/config` export: the shape of `bundle.config.ts` and `defineConfig`, an identity
 * function that exists only so editors type-check the config (vite's `defineConfig`).
 *
 * Imported by user configs, so it stays free of node:* and dependencies.
 */

/** Options of the `node` target (`config.node`). Every field is optional. */
export interface NodeTargetOptions {
  /** Port the built server listens on unless `PORT` or `--port` says otherwise. Default 3000. */
  port?: number;
  /** Interface to bind unless `HOST` or `--host` says otherwise. Default: the runtime's (all interfaces). */
  host?: string;
  /** Listen on this unix socket path instead of a port. Default: none. */
  socket?: string;
  /**
   * Peers whose X-Forwarded-* / Forwarded headers count: IPs, CIDRs, 'loopback', 'private',
   * 'linklocal' (a string or an array), true for any peer. Default false (headers ignored).
   */
  trustProxy?: boolean | string | string[];
  /** Largest request body in bytes the runtime accepts before a 413. Default: the runtime's. */
  maxBodySize?: number;
  /** Drain in-flight requests and exit on SIGINT/SIGTERM. Default true. */
  handleSignals?: boolean;
  /** Serve `publicDir` (copied to dist/node/public) as static files. Default true. */
  static?: boolean;
  /**
   * Cache-Control of served files: one value, or path prefix → value (longest prefix wins),
   * e.g. `{ '/assets/': 'public, max-age=31536000, immutable' }`. Default: none.
   */
  staticCacheControl?: string | Record<string, string>;
  /** Swap portico's light Response/Headers in for this target only. Default: the top-level value. */
  lightResponse?: boolean;
}

/** What `bundle.config.ts` exports. Relative paths are relative to `root`. */
export interface PorticoConfig {
  /** Project root. Default: the folder holding the config file, else the working directory. */
  root?: string;
  /** The app module (`export default { fetch }`). Default: the first of src/app.ts, app.ts, src/index.ts, index.ts (.ts/.mts/.js/.mjs). */
  entry?: string;
  /** Target used when `--target` is not given. Default 'node'. */
  target?: string;
  /** Base output folder; each target writes to `<outDir>/<target>`. Default 'dist'. */
  outDir?: string;
  /** Static assets folder, or false for none. Default 'public' when that folder exists. */
  publicDir?: string | false;
  /** Mount point of the app, e.g. '/shop' (WSGI's SCRIPT_NAME). Default '' (the root). */
  basePath?: string;
  /** Minify the bundle. Default false. */
  minify?: boolean;
  /** Write a source map beside the bundle. Default false. */
  sourcemap?: boolean;
  /**
   * Where the app says `Response` or `Headers`, use portico's light classes (DESIGN §6) through
   * esbuild's `inject`; nothing global is patched. Default: the target's (true, but false on cloudflare).
   */
  lightResponse?: boolean;
  /** Build-time constants, as esbuild's `define` (values are JS source text). Default {}. */
  define?: Record<string, string>;
  /** Packages left out of the bundle (for native addons installed beside it). Default []. */
  external?: string[];
  /** Options of the node target. Default {} (every field at its own default). */
  node?: NodeTargetOptions;
  /**
   * Options of the other targets, each checked by its target when it builds (an unknown or
   * badly typed field fails the build with PORTICO_BAD_OPTION naming it). Default {} each.
   */
  lambda?: Record<string, unknown>;
  /** See `lambda`. Default {}. */
  cloudflare?: Record<string, unknown>;
  /** See `lambda`. Default {}. */
  fastcgi?: Record<string, unknown>;
  /** See `lambda`. Default {}. */
  scgi?: Record<string, unknown>;
  /** See `lambda`. Default {}. */
  cgi?: Record<string, unknown>;
  /** See `lambda`. Default {}. */
  exe?: Record<string, unknown>;
}

/**
 * What a config function receives.
 *
 * @example
 * export default defineConfig(({ command }) => ({ minify: command !== 'dev' }));
 */
export interface ConfigEnv {
  /** The CLI command running: 'bundle', 'serve', 'dev' or 'deploy'. */
  command: string;
}

/** What `bundle.config.ts` may default-export: the config, or a function (sync or async) returning it. */
export type UserConfig = PorticoConfig | ((env: ConfigEnv) => PorticoConfig | Promise<PorticoConfig>);

/**
 * Type the config: returns its argument unchanged.
 *
 * @example
 * // bundle.config.ts
 * import { defineConfig } from 'portico/config';
 * export default defineConfig({ entry: 'src/app.ts', basePath: '/shop', node: { port: 8080 } });
 */
export function defineConfig<T extends UserConfig>(config: T): T {
  return config;
}
