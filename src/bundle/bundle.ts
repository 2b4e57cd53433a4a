/**
 * The bundler core: give the target a build context, write its virtual entry (esbuild stdin,
 * resolved from the project root so an app anywhere on disk finds its own node_modules), run
 * esbuild with `portico*` pointed at this package and the light Response/Headers injected,
 * then let the target package the result.
 */
import { existsSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { BuildOptions, Message, Metafile } from 'esbuild';
import { badOption, PorticoError } from '../config/errors.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { porticoPlugin } from './portico-plugin.ts';
import { porticoRoot } from './portico-root.ts';
import type { BuildContext, DevAddress, OutputFile, Target } from './target.ts';
import { loadTarget } from './targets.ts';

export interface BundleOptions {
  /** Target name (`'node'`) or a Target object. */
  target: string | Target;
  /** The app module; relative paths are relative to `root`. */
  entry: string;
  /** Project root. Default: the working directory. */
  root?: string;
  /** Base output folder; the target writes to `<outDir>/<target>`. Default `<root>/dist`. */
  outDir?: string;
  /** Static assets folder (absolute or relative to root), or undefined for none. Default none. */
  publicDir?: string;
  /** Mount point, normalised ('' or '/shop'). Default ''. */
  basePath?: string;
  /** Default false. */
  minify?: boolean;
  /** Default false. */
  sourcemap?: boolean;
  /** Inject portico's light Response/Headers. Default: the target's default (true but on workerd); `options.lightResponse` wins. */
  lightResponse?: boolean;
  /** esbuild `define`. Default {}. */
  define?: Record<string, string>;
  /** Packages left out of the bundle. Default []. */
  external?: string[];
  /** The target's own options (`config[target]`). Default {}. */
  options?: Record<string, unknown>;
  /** A dev build (`portico dev`). Default false. */
  dev?: boolean;
  /** `portico dev`'s address flags as given, for a `devReach` target (`BuildContext.devAddress`). Default none. */
  devAddress?: DevAddress;
  /**
   * Check at build time that the entry exports an app (src/bundle/app-check.ts), failing with
   * PORTICO_NO_APP. Default true; dev builds skip it (dev loads each build and shows the error).
   */
  checkApp?: boolean;
}

/** A build ready to run: what `bundle` runs once and `portico dev` runs in an esbuild context. */
export interface PreparedBuild {
  target: Target;
  ctx: BuildContext;
  esbuildOptions: BuildOptions;
}

export interface BundleResult {
  target: Target;
  ctx: BuildContext;
  files: OutputFile[];
  metafile: Metafile;
  /** Wall time of esbuild plus packaging, in milliseconds. */
  durationMs: number;
}

/** A failed esbuild build: `details` holds esbuild's formatted messages for the terminal. */
export class BuildError extends PorticoError {
  readonly details: string;
  readonly errors: Message[];
  constructor(errors: Message[], details: string) {
    const first = errors[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line}:${first.location.column})` : '';
    super('PORTICO_BUILD_FAILED', `${errors.length} error${errors.length === 1 ? '' : 's'}: ${first?.text ?? 'unknown'}${where}`);
    this.details = details;
    this.errors = errors;
  }
}

/**
 * The bundle options a resolved config describes, for its target or `targetName`.
 *
 * @example
 * await bundle(bundleOptionsFrom(resolveConfig(await loadConfig({ cwd }), { cwd, targetNames })));
 */
export function bundleOptionsFrom(config: ResolvedConfig, targetName = config.target): BundleOptions {
  return {
    target: targetName,
    entry: config.entry,
    root: config.root,
    outDir: config.outDir,
    publicDir: config.publicDir,
    basePath: config.basePath,
    minify: config.minify,
    sourcemap: config.sourcemap,
    lightResponse: config.lightResponse,
    define: config.define,
    external: config.external,
    options: config.targetOptions[targetName] ?? {},
  };
}

/**
 * Resolve the target and its options, build the context and the full esbuild options.
 *
 * @example
 * const { esbuildOptions } = await prepareBuild({ target: 'node', entry: 'src/app.ts' });
 */
export async function prepareBuild(options: BundleOptions): Promise<PreparedBuild> {
  const target = typeof options.target === 'string' ? await loadTarget(options.target) : options.target;
  const root = resolve(options.root ?? process.cwd());
  const { lightResponse: targetLight, ...raw } = options.options ?? {};
  if (targetLight !== undefined && typeof targetLight !== 'boolean') {
    throw badOption(`${target.name}.lightResponse`, 'true or false', targetLight);
  }
  let targetOptions: Record<string, unknown>;
  try {
    targetOptions = target.resolveOptions ? target.resolveOptions(raw) : raw;
  } catch (error) {
    if (error instanceof PorticoError) throw error;
    throw new PorticoError('PORTICO_BAD_OPTION', (error as Error).message);
  }
  const ctx: BuildContext = {
    root,
    entry: resolve(root, options.entry),
    outDir: join(resolve(root, options.outDir ?? 'dist'), target.name),
    publicDir: options.publicDir === undefined ? undefined : resolve(root, options.publicDir),
    basePath: options.basePath ?? '',
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ?? false,
    options: targetOptions,
    porticoRoot: porticoRoot(),
    dev: options.dev ?? false,
    devAddress: options.devAddress,
    lightResponse:
      (targetLight as boolean | undefined) ?? options.lightResponse ??
      (typeof target.lightResponse === 'function' ? target.lightResponse(targetOptions) : target.lightResponse) ?? true,
  };
  if (!existsSync(ctx.entry)) {
    throw new PorticoError('PORTICO_NO_ENTRY', `entry ${ctx.entry} does not exist; pass the path of your app module`);
  }
  const own = target.esbuildOptions(ctx);
  const esbuildOptions: BuildOptions = {
    ...own,
    stdin: {
      contents: target.entrySource(ctx),
      // Resolved from the root: the entry imports the app by absolute path, and the app's
      // own imports resolve from its own folder and node_modules, wherever it lives.
      resolveDir: root,
      sourcefile: `portico-${target.name}-entry.js`,
      loader: 'js',
    },
    absWorkingDir: root,
    bundle: true,
    minify: ctx.minify,
    sourcemap: ctx.sourcemap ? 'linked' : false,
    metafile: true,
    write: true,
    logLevel: 'silent',
    // Paths in comments and the metafile are relative to root, so output bytes do not depend
    // on where the project sits on disk beyond what the sources themselves say.
    plugins: [porticoPlugin(), ...(own.plugins ?? [])],
    inject: [...(own.inject ?? []), ...(ctx.lightResponse ? [join(ctx.porticoRoot, 'src/bundle/light-inject.ts')] : [])],
    define: { ...own.define, ...options.define },
    external: [...(own.external ?? []), ...(options.external ?? [])],
  };
  return { target, ctx, esbuildOptions };
}

/**
 * Bundle an app for a target: esbuild, then the target's packaging. Clears `<outDir>/<target>`
 * first, so no file of an earlier build lingers. Same input, same bytes.
 *
 * @example
 * const { files } = await bundle({ target: 'node', entry: 'examples/hello/app.ts' });
 * console.log(sizeTable(files, process.cwd()));
 */
export async function bundle(options: BundleOptions): Promise<BundleResult> {
  const started = performance.now();
  const prepared = await prepareBuild(options);
  const { target, ctx, esbuildOptions } = prepared;
  clearOutDir(ctx);
  // The app check (it waits on a worker thread) runs beside the build and the packaging; a
  // bundle without an app fails below, before anything is deployed. A failed build wins.
  const checked = options.checkApp === false || ctx.dev
    ? Promise.resolve()
    : import('./app-check.ts').then(({ checkAppExport }) => checkAppExport({ entry: ctx.entry, root: ctx.root, define: options.define, external: options.external }));
  checked.catch(() => undefined);
  const esbuild = await import('esbuild');
  let metafile: Metafile;
  try {
    metafile = (await esbuild.build(esbuildOptions)).metafile!;
  } catch (error) {
    throw await toBuildError(error);
  }
  const outputFiles = Object.keys(metafile.outputs).map((file) => resolve(ctx.root, file));
  const packaged = Promise.resolve(
    target.package
      ? target.package(ctx, { outputFiles, metafile })
      : outputFiles.map((path) => ({ path, kind: path.endsWith('.map') ? 'map' : 'entry' })),
  );
  const [check, pack] = await Promise.allSettled([checked, packaged]);
  if (check.status === 'rejected') throw check.reason;
  if (pack.status === 'rejected') throw pack.reason;
  const files = pack.value;
  return { target, ctx, files, metafile, durationMs: performance.now() - started };
}

/**
 * Turn what esbuild threw into a BuildError with formatted messages (or rethrow anything else).
 *
 * @example
 * try { await ctx.rebuild(); } catch (e) { const err = await toBuildError(e); console.error(err.details); }
 */
export async function toBuildError(error: unknown): Promise<Error> {
  const errors = (error as { errors?: Message[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return error as Error;
  const esbuild = await import('esbuild');
  const details = (await esbuild.formatMessages(errors, { kind: 'error', color: process.stderr.isTTY ?? false })).join('');
  return new BuildError(errors, details);
}

function clearOutDir(ctx: BuildContext): void {
  // Never delete the project itself or a folder holding it (outDir: '.' or '..').
  const rel = relative(ctx.outDir, ctx.root);
  if (!rel.startsWith('..') && !isAbsolute(rel)) {
    throw new PorticoError('PORTICO_BAD_OPTION', `output folder ${ctx.outDir} holds the project root; set "outDir" to a folder of its own such as "dist"`);
  }
  rmSync(ctx.outDir, { recursive: true, force: true });
}
