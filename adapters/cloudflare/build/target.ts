/**
 * `portico bundle --target cloudflare`: `dist/cloudflare/worker.js` (one ES module for
 * workerd) and `dist/cloudflare/wrangler.json`, with `public/` copied beside them and wired as
 * Workers static assets. Build time only: never imported by the runtime.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import type { Metafile, Plugin } from 'esbuild';
import { filesUnder } from '../../../src/bundle/report.ts';
import type { BuildContext, DevHandle, OutputFile, Target } from '../../../src/bundle/target.ts';
import { resolveCloudflareOptions, workerNameFrom, wranglerConfig, type ResolvedCloudflareOptions } from './wrangler-config.ts';

/** Node built-ins in both spellings ('buffer', 'node:buffer'), left to workerd's nodejs_compat. */
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => (name.startsWith('node:') ? [name] : [name, `node:${name}`])));

/**
 * The Node built-ins a bundle imports, read from esbuild's metafile (they are external, so
 * they appear as imports of the output).
 *
 * @example
 * nodeBuiltinImports(result.metafile); // ['node:buffer']
 */
export function nodeBuiltinImports(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && NODE_BUILTINS.has(imported.path)) found.add(imported.path);
    }
  }
  return [...found].sort();
}

/** Node built-ins each build resolved, per build context (what the `dev` hook reads: it gets no metafile). */
const resolvedBuiltins = new WeakMap<BuildContext, Set<string>>();

/**
 * Marks Node built-ins external (workerd provides them under nodejs_compat) and notes which
 * ones the build resolved.
 */
function nodeBuiltinsPlugin(found: Set<string>): Plugin {
  return {
    name: 'portico-cloudflare-node-builtins',
    setup(build) {
      build.onStart(() => found.clear());
      build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
        if (!NODE_BUILTINS.has(args.path)) return undefined;
        found.add(args.path);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Everything beside worker.js: public/ copied as static assets (under the mount point, as the
 * app's routes are) and wrangler.json. Shared by `package` and the `dev` hook.
 */
async function writeWorkerFiles(ctx: BuildContext, build: { outputFiles: string[]; usesNodeBuiltins: boolean }): Promise<OutputFile[]> {
  const files: OutputFile[] = build.outputFiles.map((path) => ({ path, kind: path.endsWith('.map') ? 'sourcemap' : 'entry' }));
  // Fresh each build, so an asset deleted from public/ is gone from the next deploy too.
  await rm(join(ctx.outDir, 'public'), { recursive: true, force: true });
  if (ctx.publicDir) {
    // Workers serves the assets folder from the site root, so /shop/logo.png lives in public/shop/.
    await cp(ctx.publicDir, join(ctx.outDir, 'public', ctx.basePath), { recursive: true });
    // One row a file in the size table, not the folder's own (directory entry) size.
    for (const path of filesUnder(join(ctx.outDir, 'public'))) files.push({ path, kind: 'asset' });
  }
  const config = wranglerConfig(resolved(ctx), {
    name: await workerName(ctx),
    usesNodeBuiltins: build.usesNodeBuiltins,
    hasAssets: ctx.publicDir !== undefined,
    sourcemap: build.outputFiles.some((path) => path.endsWith('.map')),
  });
  const configPath = join(ctx.outDir, 'wrangler.json');
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  files.push({ path: configPath, kind: 'config' });
  return files;
}

function resolved(ctx: BuildContext): ResolvedCloudflareOptions {
  return ctx.options as unknown as ResolvedCloudflareOptions;
}

async function workerName(ctx: BuildContext): Promise<string> {
  const configured = resolved(ctx).name;
  if (configured) return configured;
  try {
    return workerNameFrom(JSON.parse(await readFile(join(ctx.root, 'package.json'), 'utf8')).name);
  } catch {
    return workerNameFrom(undefined);
  }
}

export const target: Target = {
  name: 'cloudflare',
  description: 'Cloudflare Workers: dist/cloudflare/worker.js + wrangler.json (static assets wired)',
  // workerd's Response and Headers are native and fast: no light classes injected by default.
  lightResponse: false,

  resolveOptions(options) {
    return resolveCloudflareOptions(options) as unknown as Record<string, unknown>;
  },

  entrySource(ctx) {
    const runtime = JSON.stringify(join(ctx.porticoRoot, 'adapters/cloudflare/runtime/cloudflare.ts'));
    const entry = JSON.stringify(ctx.entry);
    const where = JSON.stringify(relative(ctx.root, ctx.entry) || ctx.entry);
    // A root-mounted worker calls createWorker without a mount, so no mount code is bundled.
    const worker = ctx.basePath === ''
      ? 'createWorker(app)'
      : `createWorker(app, mountAt(${JSON.stringify(ctx.basePath)}), ${JSON.stringify(ctx.basePath)})`;
    return [
      `import * as mod from ${entry};`,
      `import { createWorker, mountAt } from ${runtime};`,
      // The app module's named exports (Durable Object, WorkerEntrypoint and Workflow classes)
      // must be exports of the main module for workerd to find them.
      `export * from ${entry};`,
      // resolveApp's lookup (default export, CommonJS interop, the module itself), inlined so
      // a hello worker stays small; a module with no app fails at startup and says the fix.
      `const app = [mod.default, mod.default && mod.default.default, mod].find((c) => c && typeof c.fetch === 'function');`,
      `if (!app) throw new TypeError('PORTICO_NO_APP: ' + ${where} + ' has no app; export one as export default { fetch(request, env, ctx) { ... } }');`,
      `export default ${worker};`,
      '',
    ].join('\n');
  },

  esbuildOptions(ctx) {
    const builtins = new Set<string>();
    resolvedBuiltins.set(ctx, builtins);
    // No `inject` of the light Response/Headers: workerd's are native and fast (DESIGN §6 is
    // about undici on Node), so the app keeps the platform's classes.
    return {
      platform: 'neutral',
      format: 'esm',
      target: 'es2022',
      // Packages publish Worker builds under these conditions (the set wrangler resolves).
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      outfile: join(ctx.outDir, 'worker.js'),
      // Node built-ins stay imports; workerd provides them under nodejs_compat, which `package`
      // turns on when the metafile shows one.
      plugins: [nodeBuiltinsPlugin(builtins)],
      // workerd's own modules (`cloudflare:workers` for Durable Objects, WorkerEntrypoint, env).
      external: ['cloudflare:*'],
      define: { 'process.env.NODE_ENV': JSON.stringify(ctx.dev ? 'development' : 'production') },
    };
  },

  package(ctx, build) {
    // The metafile is exact: an import of a built-in that tree shaking dropped does not count.
    return writeWorkerFiles(ctx, { outputFiles: build.outputFiles, usesNodeBuiltins: nodeBuiltinImports(build.metafile).length > 0 });
  },

  async dev(ctx, build): Promise<DevHandle> {
    // Dev builds skip `package`: write wrangler.json here, from what this build resolved.
    await writeWorkerFiles(ctx, { outputFiles: build.outputFiles, usesNodeBuiltins: (resolvedBuiltins.get(ctx)?.size ?? 0) > 0 });
    const { startWorkerDev } = await import('./dev.ts');
    // Local KV/D1/R2 data outlives a dev session, where wrangler dev keeps its own.
    return startWorkerDev(ctx.outDir, { persistTo: join(ctx.root, '.wrangler', 'state') });
  },
  async deploy(ctx, { flags, log }) {
    const { deployWorker } = await import('./deploy.ts');
    // `--outdir` is the bundle's output folder, so wrangler's own --outdir has its own name here.
    const outDir = flags.dryRunOutdir;
    await deployWorker(ctx.outDir, {
      dryRun: Boolean(flags.dryRun),
      outDir: typeof outDir === 'string' ? outDir : undefined,
      log,
    });
  },
};
