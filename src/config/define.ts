/**
 * The `portico/config` export: the shape of `bundle.config.ts` and `defineConfig`, an identity
 * function that exists only so editors type-check the config (vite's `defineConfig`).
 *
 * Imported by user configs, so it stays free of node:* and dependencies.
 */

/**
 * The limits of a built server (`node: {...}`, `exe: {...}`), each also a flag of the server
 * (`--response-timeout` etc.), which wins.
 */
export interface ServerLimitOptions {
  /** Largest request head (request line + headers), bytes; 431 beyond. Default 16384. */
  maxHeaderSize?: number;
  /** Time for a client to send the request head, ms; then 408 and the connection closes (slowloris). Default 20000. */
  headersTimeout?: number;
  /** Time for a client to send the whole request, body included, ms. Default 300000; 0: no limit. */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open, ms. Default 5000. */
  keepAliveTimeout?: number;
  /** Time for the app to return its Response once the request is in, ms; then 504 and `request.signal` aborts. Default 60000; 0: no limit. */
  responseTimeout?: number;
  /** Longest pause in a streamed response body, ms; then the connection closes. Default 60000; 0: no limit. */
  streamIdleTimeout?: number;
  /** Pipelined requests per connection answered at once; the connection is not read further meanwhile. Default 16. */
  maxPipelined?: number;
}

/** Options of the `node` target (`config.node`). Every field is optional. */
export interface NodeTargetOptions extends ServerLimitOptions {
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
  /** Worker processes behind one primary ('auto': one a CPU); `--workers` and PORTICO_WORKERS win. Default 1 (one process). */
  workers?: number | 'auto';
  /** Requests a worker serves before it is replaced (a primary runs even with one worker). Default 0 (never). */
  maxRequests?: number;
  /** Up to this many more requests, drawn per worker. Default 0. */
  maxRequestsJitter?: number;
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

/**
 * Options of the classic targets (`config.fastcgi`, `config.scgi`, `config.cgi`). Every field is
 * optional. The generated nginx/Apache/lighttpd/systemd files use the same address.
 */
export interface ClassicTargetOptions {
  /** fastcgi/scgi: unix socket to listen on (absolute path). Default: systemd's socket or fd 0; the snippets then use /run/portico/<name>.sock. */
  socket?: string;
  /** fastcgi/scgi: permissions of `socket`, e.g. 0o660 so the web server's user can connect. Default: the umask's. */
  socketMode?: number;
  /** fastcgi/scgi: TCP port to listen on instead of a socket. Default: none. */
  port?: number;
  /** fastcgi/scgi: interface for `port`. Default '127.0.0.1'. */
  host?: string;
  /** Peers whose X-Forwarded-* / Forwarded headers count, as `node.trustProxy`. Default false. */
  trustProxy?: boolean | string | string[];
  /** Largest request body in bytes before a 413. Default: the runtime's. */
  maxBodySize?: number;
  /** Largest FastCGI params / SCGI header block in bytes. Default: the runtime's. */
  maxParamsSize?: number;
  /** fastcgi/scgi: drain in-flight requests and exit on SIGINT/SIGTERM. Default true. */
  handleSignals?: boolean;
  /** fastcgi/scgi: worker processes behind one primary ('auto': one a CPU); `--workers` and PORTICO_WORKERS win. Default 1 (one process). */
  workers?: number | 'auto';
  /** fastcgi/scgi: requests a worker serves before it is replaced (a primary runs even with one worker). Default 0 (never). */
  maxRequests?: number;
  /** fastcgi/scgi: up to this many more requests, drawn per worker. Default 0. */
  maxRequestsJitter?: number;
  /** Name in generated files (portico-<name>.service). Default: package.json's name, else the root folder's. */
  name?: string;
  /** cgi: the first line of app.cgi. Default '#!/usr/bin/env node'. */
  shebang?: string;
  /** cgi: the socket of the fcgiwrap that nginx.conf hands requests to (nginx runs no CGI itself). Default '/run/fcgiwrap.socket' (Debian's fcgiwrap.socket). */
  fcgiwrapSocket?: string;
  /** Swap portico's light Response/Headers in for this target only. Default: the top-level value. */
  lightResponse?: boolean;
}

/** Options of the `exe` target (`config.exe`), the single-file executable. Every field is optional. */
export interface ExeTargetOptions extends ServerLimitOptions {
  /** The executable's name (`dist/exe/<name>`, `.exe` added for Windows). Default: package.json's name, else the entry's file name. */
  name?: string;
  /** The platform to build for (`--platform` wins). Default: the build machine's. */
  platform?: 'linux-x64' | 'linux-arm64' | 'win-x64';
  /**
   * What runs the app inside (`--runtime` wins): 'node' (a Node single executable application) or
   * 'bun' (`bun build --compile` and `Bun.serve`; Bun from the project's `bun` package, else the
   * npm registry). Default 'node'.
   */
  runtime?: 'node' | 'bun';
  /** Port the executable listens on unless `PORT` or `--port` says otherwise. Default 3000. */
  port?: number;
  /** Interface to bind unless `HOST` or `--host` says otherwise. Default '127.0.0.1' (this machine only). */
  host?: string;
  /** Listen on this unix socket path instead of a port. Default: none. */
  socket?: string;
  /** As `node.trustProxy`. Default false. */
  trustProxy?: boolean | string | string[];
  /** Largest request body in bytes. Default: the runtime's (100 MiB). */
  maxBodySize?: number;
  /** Embed `publicDir` in the executable and serve it. Default true. */
  static?: boolean;
  /** Cache-Control of served public/ files: one value, or `{ '/prefix/': value }` (longest prefix wins). Default: none. */
  staticCacheControl?: string | Record<string, string>;
  /** What `--version` prints. Default: package.json's version, else '0.0.0'. */
  version?: string;
  /** Sign the Windows executable with osslsigncode: PEM certificate and key paths (relative to root). Default: unsigned. */
  sign?: { cert: string; key: string; password?: string };
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
  /** Options of the fastcgi target. Default {}. */
  fastcgi?: ClassicTargetOptions;
  /** Options of the scgi target. Default {}. */
  scgi?: ClassicTargetOptions;
  /** Options of the cgi target. Default {}. */
  cgi?: ClassicTargetOptions;
  /** Options of the exe target. Default {} (every field at its own default). */
  exe?: ExeTargetOptions;
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
