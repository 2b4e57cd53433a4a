/**
 * The one small interface through which every gateway plugs into the bundler. A target lives
 * in `adapters/<name>/target.ts` and exports `target: Target`. The core (`src/bundle`) loads
 * the config, asks the target for its virtual entry and esbuild options, runs esbuild, and
 * hands the result back for packaging. Adding Lambda, Workers, FastCGI or the executable
 * touches no core file beyond the registry in `src/bundle/targets.ts`.
 *
 * Build time only: never imported by runtime code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BuildOptions, Metafile } from 'esbuild';

/** Everything a target knows about the build it is part of. */
export interface BuildContext {
  /** Absolute project root: the folder of bundle.config.ts, else the working directory. */
  root: string;
  /** Absolute path of the app module (`export default { fetch }`). */
  entry: string;
  /** Absolute output folder for this target, e.g. `<root>/dist/node`. */
  outDir: string;
  /** Absolute path of the static assets folder when it exists, else undefined. */
  publicDir: string | undefined;
  /** The mount point, normalised ('' or '/shop'). */
  basePath: string;
  minify: boolean;
  sourcemap: boolean;
  /** This target's own options from the config (`config[target.name]`), validated by the target. */
  options: Record<string, unknown>;
  /** Absolute path of the portico package root, for importing runtime modules in the entry. */
  porticoRoot: string;
  /** Whether this is a `portico dev` build (the target may emit a dev-only entry). */
  dev: boolean;
  /**
   * `portico dev`'s `--port`, `--host` and `--socket` as given on the command line (each undefined
   * when not given). A `devReach` target listens (and points its config files) there instead of
   * the address its options name: the flag wins, as it does for the node target's dev server.
   */
  devAddress?: DevAddress;
  /**
   * Whether the core injects portico's light `Response`/`Headers` where the app says
   * `Response`/`Headers`: `config[target].lightResponse`, else the top-level `lightResponse`,
   * else `Target.lightResponse`, else true. The core does the injecting; a target only reads this.
   */
  lightResponse: boolean;
}

/** The address flags of `portico dev`, as given (see `BuildContext.devAddress`). */
export interface DevAddress {
  port?: number;
  host?: string;
  /** Absolute path of a unix socket. */
  socket?: string;
}

/** A file the target wrote, for the size table the CLI prints after a build. */
export interface OutputFile {
  /** Absolute path. */
  path: string;
  /** Shown after the name, e.g. 'entry', 'zip', 'asset'. */
  kind?: string;
}

export interface Target {
  /** The `--target` name. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /**
   * Whether builds for this target get portico's light Response/Headers when the config does
   * not say (`lightResponse`). Default true; a platform whose own classes are already fast
   * (workerd) sets false. A function decides from the target's resolved options (the exe target:
   * false with `runtime: 'bun'`, whose Response is native).
   */
  lightResponse?: boolean | ((options: Record<string, unknown>) => boolean);
  /**
   * Validate and fill defaults of this target's options (`config[name]`). Throw an Error whose
   * message names the option and the fix, e.g. `node.port must be a port number (0-65535)`.
   */
  resolveOptions?(options: unknown): Record<string, unknown>;
  /**
   * Source text of the virtual entry. It must import the app from `JSON.stringify(ctx.entry)`
   * and hand it to the target's runtime, imported by absolute path under `ctx.porticoRoot`.
   */
  entrySource(ctx: BuildContext): string;
  /**
   * esbuild options for this target (platform, format, target, outfile, banner, inject, ...).
   * The core adds entry, bundle: true, minify, sourcemap, metafile and the `portico` alias.
   */
  esbuildOptions(ctx: BuildContext): BuildOptions;
  /** After esbuild: copy assets, write configs, zip. Returns every file written (esbuild's included). */
  package?(ctx: BuildContext, build: { outputFiles: string[]; metafile: Metafile }): Promise<OutputFile[]> | OutputFile[];
  /**
   * `portico dev --target <name>`. Called after every successful dev rebuild (ctx.dev is true,
   * so `entrySource` may emit a dev entry) with the file:// URL of the fresh bundle, already
   * cache-busted (`?v=<n>`): import it and return a node request listener that serves it in the
   * target's own request shape (a Lambda event, a Worker's env). The dev server swaps it in
   * without dropping its port, and calls the previous handle's `close` after the swap.
   * `package` is not called for dev builds: do here whatever the dev server needs beyond the bundle.
   * Without this hook, `portico dev --target <name>` fails with PORTICO_NO_DEV.
   *
   * @example
   * async dev(ctx, { url }) {
   *   const { handler } = await import(url);
   *   return { listener: (req, res) => lambdaDevListener(handler, req, res) };
   * }
   */
  dev?(ctx: BuildContext, build: { url: string; outputFiles: string[]; flags?: Record<string, unknown> }): Promise<DevHandle> | DevHandle;
  /**
   * For a target whose dev app is reached through another server rather than `portico dev`'s own
   * HTTP port (fastcgi, scgi: the socket the developer's nginx connects to; cgi: the script the
   * web server runs): where, and lines to print under it (the config files to include). With
   * it, `portico dev` binds no HTTP port and `dev` returns handles without a `listener`.
   *
   * @example
   * devReach(ctx) { return { url: 'unix:/run/portico/shop.sock', notes: ['nginx: include /srv/shop/.portico/dev/fastcgi/nginx.conf;'] }; }
   */
  devReach?(ctx: BuildContext): { url: string; notes: string[] };
  /**
   * `portico deploy --target <name>`: ship what `package` wrote (the CLI bundles first).
   * `flags` are the command-line options as parsed (e.g. `{ dryRun: true }`). Log progress
   * with `log`. Without this hook, `portico deploy` fails with PORTICO_NO_DEPLOY.
   */
  deploy?(ctx: BuildContext, build: { files: OutputFile[]; flags: Record<string, unknown>; log: (line: string) => void }): Promise<void>;
}

/** What a target's `dev` hook hands the dev server for one build. */
export interface DevHandle {
  /** Serves one request of the dev server. Errors it throws become a 500 error page. Absent for a `devReach` target. */
  listener?(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  /** Release what this build holds (timers, child processes) once the next build replaced it. */
  close?(): void | Promise<void>;
}
