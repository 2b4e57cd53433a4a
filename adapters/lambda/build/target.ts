/**
 * The `lambda` target: `portico bundle --target lambda` writes `dist/lambda/index.mjs`
 * (an ES module exporting `handler`, everything bundled) and `dist/lambda/function.zip`
 * (index.mjs, `public/` assets and native addons), reproducible byte for byte.
 *
 * - ESM, platform node, target node20: runs on the nodejs20.x, 22.x and 24.x runtimes, which
 *   load `index.mjs` as ESM because of its extension ("Designating a function handler as an ES
 *   module", Lambda developer guide). The handler setting is `index.handler`.
 * - Dependencies resolve as on every Node target (src/bundle/node-platform.ts): the file Node
 *   would load, and a `createRequire` banner gives bundled CommonJS a real `require`.
 * - `.node` addons are copied to `native/<name>-<hash>.node` beside the bundle and required
 *   from there (content-hashed names keep the output reproducible and collision-free).
 *
 * Build time only: never imported by runtime code.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { nativeAddonFiles } from '../../../src/bundle/native-addons.ts';
import { nodePlatformOptions } from '../../../src/bundle/node-platform.ts';
import { copyStaticFiles, manifestExpression, staticManifestFor } from '../../../src/bundle/static-manifest.ts';
import type { BuildContext, OutputFile, Target } from '../../../src/bundle/target.ts';
import { resolveLambdaOptions, type ResolvedLambdaOptions } from './target-options.ts';
import { filesUnder, zipEntries } from './zip.ts';
import { LAMBDA_ENTRY_FILE, LAMBDA_ZIP_FILE } from './files.ts';

export { LAMBDA_ENTRY_FILE, LAMBDA_HANDLER, LAMBDA_ZIP_FILE } from './files.ts';


/**
 * The options the entry hands the runtime's `handle(app, options)`: only what is set, so the
 * runtime's own defaults apply to the rest.
 */
function runtimeOptions(ctx: BuildContext, options: ResolvedLambdaOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const basePath = options.basePath ?? ctx.basePath;
  if (basePath) out.basePath = basePath;
  if (options.binary !== undefined) out.binary = options.binary;
  if (options.streaming) out.streaming = true;
  if (options.deadlineMargin !== undefined) out.deadlineMargin = options.deadlineMargin;
  if (options.albSetCookie !== undefined) out.albSetCookie = options.albSetCookie;
  return out;
}

/**
 * The virtual entry: import the app, hand it to the Lambda runtime, export `handler`.
 *
 * @example
 * lambdaEntrySource(ctx); // "import * as mod from \"/app/src/app.ts\"; ... export const handler = ..."
 */
export function lambdaEntrySource(ctx: BuildContext): string {
  const options = ctx.options as unknown as ResolvedLambdaOptions;
  const runtime = join(ctx.porticoRoot, 'adapters/lambda/runtime/lambda.ts');
  const appModule = join(ctx.porticoRoot, 'src/app.ts');
  const opts = JSON.stringify(runtimeOptions(ctx, options));
  const lines = [
    `import * as mod from ${JSON.stringify(ctx.entry)};`,
    `import { resolveApp } from ${JSON.stringify(appModule)};`,
    `import { handle } from ${JSON.stringify(runtime)};`,
  ];
  let statics = '';
  const cache = options.staticCacheControl !== undefined ? `, cacheControl: ${JSON.stringify(options.staticCacheControl)}` : '';
  if (ctx.publicDir !== undefined && ctx.dev) {
    // portico dev: a live view of the source folder, so a saved file is served at once.
    lines.push(`import { liveStaticRoutes } from ${JSON.stringify(join(ctx.porticoRoot, 'adapters/_node/static-scan.ts'))};`);
    statics = `, static: { manifest: liveStaticRoutes(${JSON.stringify(ctx.publicDir)}), from: ${JSON.stringify(ctx.publicDir)}${cache} }`;
  } else if (ctx.publicDir !== undefined) {
    // The manifest as built, and public/ as packaged beside index.mjs (in the zip).
    statics = `, static: { manifest: ${manifestExpression(staticManifestFor(ctx)!)}, from: new URL('./public/', import.meta.url)${cache} }`;
  }
  lines.push(`export const handler = handle(resolveApp(mod, ${JSON.stringify(basename(ctx.entry))}), ${statics ? `{ ...${opts}${statics} }` : opts});`, '');
  return lines.join('\n');
}

/**
 * Copy assets beside the bundle (addons are already there, see the plugin), then zip the
 * folder reproducibly.
 *
 * @example
 * const files = await packageLambda(ctx, { outputFiles: ['/app/dist/lambda/index.mjs'] });
 */
export async function packageLambda(ctx: BuildContext, build: { outputFiles: string[] }): Promise<OutputFile[]> {
  const files: OutputFile[] = build.outputFiles.map((path) => ({ path, kind: path.endsWith('.map') ? 'map' : 'entry' }));
  for (const target of nativeAddonFiles(ctx.outDir)) files.push({ path: join(ctx.outDir, target), kind: 'native' });
  // Exactly the files the manifest lists (and serves): no hidden files ride along into the zip.
  const manifest = ctx.dev ? undefined : staticManifestFor(ctx);
  if (manifest !== undefined) {
    for (const path of copyStaticFiles(manifest, ctx.publicDir!, join(ctx.outDir, 'public'))) files.push({ path, kind: 'asset' });
  }
  // A dev build is served from the folder; the zip is only for shipping.
  if (ctx.dev) return files;
  const zipPath = join(ctx.outDir, LAMBDA_ZIP_FILE);
  const entries = filesUnder(ctx.outDir, { skip: (path) => path === LAMBDA_ZIP_FILE });
  writeFileSync(zipPath, zipEntries(entries));
  files.push({ path: zipPath, kind: 'zip' });
  return files;
}

export const target: Target = {
  name: 'lambda',
  description: 'AWS Lambda: dist/lambda/index.mjs (handler index.handler) and a reproducible function.zip',
  resolveOptions(options: unknown) {
    return resolveLambdaOptions(options) as unknown as Record<string, unknown>;
  },
  entrySource: lambdaEntrySource,
  esbuildOptions(ctx) {
    return {
      // The same resolution as every Node target (src/bundle/node-platform.ts): a CommonJS
      // dependency gets the file Node would load, as on the node target.
      ...nodePlatformOptions({ outfile: join(ctx.outDir, LAMBDA_ENTRY_FILE), outDir: ctx.outDir }),
      // Nothing is left external, not even @aws-sdk/*: the SDK v3 is in the Lambda runtime, but
      // its version there is AWS's choice; bundling what the app installed behaves as tested.
      legalComments: 'none',
    };
  },
  package: packageLambda,
  async dev(ctx, build) {
    const { lambdaDevHandle } = await import('./dev.ts');
    return lambdaDevHandle(ctx, build);
  },
  async deploy(ctx, build) {
    const { deployLambda } = await import('./deploy.ts');
    const options = resolveLambdaOptions(ctx.options, ctx.root);
    await deployLambda({
      zipPath: join(ctx.outDir, LAMBDA_ZIP_FILE),
      options,
      dryRun: build.flags.dryRun === true,
      log: build.log,
    });
  },
};
