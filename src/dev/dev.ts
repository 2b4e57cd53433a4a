/**
 * `portico dev`: an esbuild context over the app, rebuilt when a file it read changes; each good
 * build is imported fresh (a `?v=<n>` query busts Node's module cache) and swapped into the
 * running server through the target's `dev` hook, so production's adapter code serves it.
 * A broken build is printed in the terminal and shown as the error page to browsers until it is
 * fixed; other requests keep getting the last good build.
 */
import * as nodeModule from 'node:module';
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildContext as EsbuildContext, Metafile } from 'esbuild';
import { type BundleOptions, prepareBuild, toBuildError } from '../bundle/bundle.ts';
import { PorticoError } from '../config/errors.ts';
import { DevServer } from './server.ts';
import { InputWatcher } from './watch.ts';

/** Cache-busting query for each import of a dev bundle (Node caches modules by URL). */
let importCount = 0;

export interface DevOptions extends BundleOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default '127.0.0.1': a dev server is for this machine. */
  host?: string;
  /** Extra files to watch (the config and its imports); a change there calls `onConfigChange`. */
  watchAlso?: string[];
  /** Called when a `watchAlso` file changes (the CLI reloads the config and restarts). */
  onConfigChange?: (file: string) => void;
  /** Command-line options as parsed, handed to the target's dev hook (e.g. `{ event: 'v1' }`). */
  flags?: Record<string, unknown>;
  /** Where progress lines go. Default console.log. */
  log?: (line: string) => void;
}

export interface DevSession {
  /** The dev server's http:// URL, or where a `devReach` target is reached (`unix:/run/x.sock`). */
  url: string;
  /** Lines to print under the URL (a `devReach` target's config files). */
  notes: string[];
  server: DevServer;
  /** Rebuild now (what a file change does); resolves when the new build serves or failed. */
  rebuild(reason?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * @example
 * const dev = await startDev({ target: 'node', entry: 'src/app.ts', port: 3000 });
 * console.log(dev.url);
 */
export async function startDev(options: DevOptions): Promise<DevSession> {
  const log = options.log ?? ((line: string) => console.log(line));
  // Dev builds always carry source maps, and this process (which imports each build) applies
  // them, so an error the app throws logs a stack naming its own files and lines, not the bundle's.
  const { target, ctx, esbuildOptions } = await prepareBuild({ ...options, dev: true, sourcemap: true });
  enableSourceMaps();
  if (!target.dev) {
    throw new PorticoError('PORTICO_NO_DEV', `target ${target.name} has no dev mode yet; run portico dev --target node, or portico bundle --target ${target.name}`);
  }
  const devHook = target.dev.bind(target);
  // A target reached through another server (a web server's FastCGI socket) binds no HTTP port;
  // asked first, so an address flag it refuses ends the session before anything starts.
  const reach = target.devReach?.(ctx);
  if (!reach && options.devAddress?.socket !== undefined) {
    throw new PorticoError('PORTICO_BAD_FLAG', `portico dev --target ${target.name} serves HTTP on --port/--host; --socket is for --target fastcgi, scgi or cgi`);
  }
  const esbuild = await import('esbuild');
  const context: EsbuildContext = await esbuild.context(esbuildOptions);
  const server = new DevServer();
  let buildCount = 0;
  let running: Promise<void> | undefined;
  let again: string | undefined;
  // A PorticoError from the dev hook on the first build (a missing wrangler, say) ends the session.
  let setupError: PorticoError | undefined;

  let closing = false;
  const outDir = ctx.outDir;
  const watcher = new InputWatcher(
    (file) => schedule(file),
    (file) => file === outDir || file.startsWith(outDir + sep) || outDir.startsWith(file + sep),
  );
  let timer: NodeJS.Timeout | undefined;
  let firstChange = 0;
  // Editors write a file in several steps; gather the events of one save into one rebuild.
  function schedule(file: string): void {
    if (closing) return;
    if (options.watchAlso?.includes(file)) {
      if (options.onConfigChange) options.onConfigChange(file);
      else log(`! ${file} changed: restart portico dev to apply the new config`);
      return;
    }
    if (!firstChange) firstChange = performance.now();
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(`${relative(ctx.root, file) || file} changed`), 8);
  }

  async function buildOnce(reason: string): Promise<void> {
    const started = firstChange || performance.now();
    firstChange = 0;
    let metafile: Metafile | undefined;
    try {
      metafile = (await context.rebuild()).metafile!;
    } catch (error) {
      const err = await toBuildError(error);
      watcher.loose = true;
      watcher.update([...watcher.files, ...errorFiles(err, ctx), ...(options.watchAlso ?? [])]);
      const details = (err as { details?: string }).details ?? (err.stack || String(err));
      process.stderr.write(details);
      log(`✗ build failed (${reason}): browsers get the error page, other requests the last good build, until it is fixed`);
      server.fail('Build failed', details);
      return;
    }
    watcher.loose = false;
    watcher.update([...Object.keys(metafile.inputs).filter((f) => !f.startsWith('<')).map((f) => resolve(ctx.root, f)), ...(options.watchAlso ?? [])]);
    const outputFiles = Object.keys(metafile.outputs).map((f) => resolve(ctx.root, f));
    const main = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint !== undefined)?.[0];
    ++buildCount;
    // Unique per process, not per session: a restarted session writes the same file again.
    const url = `${pathToFileURL(resolve(ctx.root, main ?? outputFiles[0]!)).href}?v=${++importCount}`;
    try {
      // Each version stays in Node's module cache: a dev session leaks one module per reload.
      const handle = await devHook(ctx, { url, outputFiles, flags: options.flags });
      await server.swap(handle);
    } catch (error) {
      if (error instanceof PorticoError) {
        // portico's own errors are one line that names the fix, not the app's stack; on the
        // first build the caller reports it (the CLI: that line and exit code 1).
        if (buildCount === 1) {
          setupError = error;
          return;
        }
        log(`✗ ${error.message}`);
        server.fail('portico dev could not serve this build', error.message);
        return;
      }
      const details = (error as Error)?.stack ?? String(error);
      console.error(error);
      log(`✗ the new build threw while loading (${reason}): browsers get the error page, other requests the last good build`);
      server.fail('The app threw while loading', details);
      return;
    }
    log(`✓ ${buildCount === 1 ? 'built' : 'reloaded'} in ${Math.round(performance.now() - started)} ms (${reason})`);
  }

  // One build at a time; changes during a build fold into one more build after it.
  function rebuild(reason = 'manual'): Promise<void> {
    if (running) {
      again = reason;
      return running;
    }
    running = (async () => {
      try {
        await buildOnce(reason);
        while (again !== undefined) {
          const next = again;
          again = undefined;
          await buildOnce(next);
        }
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  let address;
  if (!reach) {
    try {
      address = await server.listen(options.port ?? 3000, options.host ?? '127.0.0.1');
    } catch (error) {
      await context.dispose();
      throw error;
    }
  }
  await rebuild('first build');
  if (setupError) {
    watcher.close();
    await context.dispose();
    await server.close();
    throw setupError;
  }
  const host = address && (address.family === 'IPv6' ? `[${address.address}]` : address.address);
  const url = reach ? reach.url : `http://${host}:${address!.port}${ctx.basePath}/`;
  return {
    url,
    notes: reach?.notes ?? [],
    server,
    rebuild,
    async close() {
      closing = true;
      clearTimeout(timer);
      watcher.close();
      await running;
      await context.dispose();
      await server.close();
    },
  };
}

/**
 * Map stack traces through source maps in this process from now on (modules loaded after the
 * call; each dev build is loaded after it). Node >= 23.7 has `module.setSourceMapsSupport`; Node
 * 20 and 22 have `process.setSourceMapsEnabled` (what `--enable-source-maps` turns on).
 */
function enableSourceMaps(): void {
  const setSupport = (nodeModule as { setSourceMapsSupport?: (enabled: boolean) => void }).setSourceMapsSupport;
  if (typeof setSupport === 'function') setSupport(true);
  else process.setSourceMapsEnabled(true);
}

/** Files named in build errors (an import of a missing file sits in a watched importer). */
function errorFiles(error: unknown, ctx: { root: string }): string[] {
  const errors = (error as { errors?: Array<{ location?: { file: string } | null }> }).errors ?? [];
  return errors.flatMap((e) => (e.location?.file && !e.location.file.startsWith('<') ? [resolve(ctx.root, e.location.file)] : []));
}
