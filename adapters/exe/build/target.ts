/**
 * The `exe` target (build time): `dist/exe/<name>` (`<name>.exe` for Windows), one executable
 * holding Node, the app bundled as CommonJS, `public/` and native addons, made with Node's
 * Single Executable Applications from the official Node of the chosen platform (npm registry).
 *
 *   portico bundle --target exe [--platform linux-x64|linux-arm64|win-x64]
 *   ./dist/exe/shop [--port 8080] [--host 0.0.0.0] [--socket /run/shop.sock] [--open]
 *
 * Never imported by runtime code.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { nativeAddonFiles, nativeAddonPlugin, REQUIRE_BANNER } from '../../../src/bundle/native-addons.ts';
import { devListenerOptions, nodeDevEntry } from '../../../src/bundle/node-dev-entry.ts';
import { nodePlatformOptions } from '../../../src/bundle/node-platform.ts';
import type { BuildContext, Target } from '../../../src/bundle/target.ts';
import { manifestExpression, staticManifestFor } from '../../../src/bundle/static-manifest.ts';
import type { ExeTargetOptions } from '../../../src/config/define.ts';
import { baseBinary } from './base-binary.ts';
import { bunEntrySource, bunEsbuildOptions, packageBun } from './bun.ts';
import { bakedExe, exeName, resolveExeOptions } from './options.ts';
import { hostPlatform, platformInfo } from './platforms.ts';
import { lazyBuiltinsPlugin } from './lazy-builtins.ts';
import { noUndiciLinkPlugin } from './no-undici-link.ts';
import { buildSea, seaExecArgv } from './sea.ts';
import { signWindows } from './sign.ts';

/** Whether this build makes a Bun executable (`exe.runtime: 'bun'`, `--runtime bun`; build/bun.ts). `portico dev` serves on Node either way. */
function isBun(ctx: BuildContext): boolean {
  return !ctx.dev && (ctx.options as ExeTargetOptions).runtime === 'bun';
}

/** Scratch folder for the bundle, addon copies and the blob; removed after packaging. */
function workDir(ctx: BuildContext): string {
  return join(ctx.outDir, '.sea');
}

/**
 * The files of the static manifest as asset key (`public/css/app.css`) → absolute path: exactly
 * what the manifest lists (precompressed siblings included), so no `.env` or `.git` that sat in
 * public/ ends up inside the executable.
 */
function publicAssets(ctx: BuildContext): Record<string, string> {
  const assets: Record<string, string> = {};
  for (const key of Object.keys(staticManifestFor(ctx)!.files).sort()) assets[`public${key}`] = join(ctx.publicDir!, key);
  return assets;
}

export const target: Target = {
  name: 'exe',
  description: 'a single-file executable with Node inside: dist/exe/<name>, no Node needed where it runs',

  // Bun's Request/Response are native (no undici to keep off the start): no light classes there.
  lightResponse: (options) => (options as ExeTargetOptions).runtime !== 'bun',

  resolveOptions(options) {
    const o = resolveExeOptions(options);
    if (o.platform !== undefined) platformInfo(o.platform); // unknown or macOS: fail before bundling
    return o as Record<string, unknown>;
  },

  entrySource(ctx) {
    if (isBun(ctx)) return bunEntrySource(ctx);
    const app = JSON.stringify(ctx.entry);
    if (ctx.dev) {
      // `portico dev --target exe`: the node listener as the exe gateway, public/ from a live
      // view of the source folder (src/bundle/node-dev-entry.ts, as the node target's dev build).
      const b = bakedExe(ctx);
      return nodeDevEntry(ctx, { listener: { ...devListenerOptions(b), gateway: 'exe' }, static: b.static, staticCacheControl: b.staticCacheControl });
    }
    const baked = bakedExe(ctx);
    return [
      `import * as mod from ${app};`,
      `import { start } from ${JSON.stringify(join(ctx.porticoRoot, 'adapters/exe/runtime/start.ts'))};`,
      `start(mod, ${JSON.stringify(baked)}${baked.static ? `, ${manifestExpression(staticManifestFor(ctx)!)}` : ''});`,
      '',
    ].join('\n');
  },

  esbuildOptions(ctx) {
    if (ctx.dev) {
      return {
        platform: 'node',
        format: 'esm',
        conditions: [],
        mainFields: ['main', 'module'],
        target: `node${process.versions.node.split('.')[0]}`,
        outfile: join(ctx.outDir, 'app.mjs'),
        banner: { js: REQUIRE_BANNER },
        plugins: [nativeAddonPlugin(ctx.outDir)],
      };
    }
    if (isBun(ctx)) return bunEsbuildOptions(workDir(ctx));
    const loader = JSON.stringify(join(ctx.porticoRoot, 'adapters/exe/runtime/addons.ts'));
    const shared = nodePlatformOptions({ outfile: join(workDir(ctx), 'main.cjs'), outDir: workDir(ctx), format: 'cjs' });
    return {
      platform: 'node',
      // CommonJS dependencies resolve as on every Node target (src/bundle/node-platform.ts).
      conditions: shared.conditions,
      mainFields: shared.mainFields,
      // A SEA's main is a CommonJS script (Node 24 ignores an ESM mainFormat), and CommonJS
      // starts about 30 ms sooner than ESM there (DESIGN §6).
      format: 'cjs',
      // The executable runs the build's own Node major.
      target: `node${process.versions.node.split('.')[0]}`,
      outfile: join(workDir(ctx), 'main.cjs'),
      // Whitespace and syntax minified even without --minify: a smaller script to load, and
      // every name kept, so a stack trace names the app's functions (no source map ships in
      // the executable). Renaming as well measured no faster with keepNames' __name calls, and
      // without them a stack trace names nothing (bench/README.md).
      minifyWhitespace: true,
      minifySyntax: true,
      // An addon is an asset of the executable, loaded from the user cache (runtime/addons.ts).
      plugins: [
        ...(ctx.lightResponse ? [noUndiciLinkPlugin()] : []),
        // crypto, fs/promises and child_process only when first used: none is on a plain start.
        lazyBuiltinsPlugin(),
        nativeAddonPlugin(workDir(ctx), (key) => `module.exports = require(${loader}).loadAddon(${JSON.stringify(key)});`),
        {
          // esbuild resolves nothing by itself inside a plugin's namespace: point the stubs'
          // require of the loader back at the file.
          name: 'portico-exe-addon-loader',
          setup(build) {
            build.onResolve({ filter: /[\\/]adapters[\\/]exe[\\/]runtime[\\/]addons\.ts$/, namespace: 'portico-native' }, (args) => ({ path: args.path }));
          },
        },
      ],
    };
  },

  async package(ctx) {
    const o = ctx.options as ExeTargetOptions;
    const info = platformInfo(o.platform ?? hostPlatform());
    const work = workDir(ctx);
    try {
      if (isBun(ctx)) return await packageBun(ctx, work);
      const assets: Record<string, string> = {};
      for (const key of nativeAddonFiles(work)) assets[key] = join(work, key);
      if (bakedExe(ctx).static) Object.assign(assets, publicAssets(ctx));
      const base = await baseBinary(info);
      const output = join(ctx.outDir, exeName(ctx) + info.suffix);
      await buildSea({
        main: join(work, 'main.cjs'),
        assets,
        base: base.path,
        output,
        workDir: work,
        // V8 rejects a code cache made by another Node version or for another machine.
        codeCache: info.platform === hostPlatform() && base.version === process.versions.node,
        execArgv: seaExecArgv(base.version),
      });
      if (o.sign && info.suffix === '.exe') signWindows(output, o.sign, ctx.root, exeName(ctx));
      const assetCount = Object.keys(assets).length;
      return [{ path: output, kind: `${info.platform}, Node ${base.version}${assetCount ? `, ${assetCount} embedded file${assetCount === 1 ? '' : 's'}` : ''}` }];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },

  async dev(_ctx, build) {
    const mod = (await import(build.url)) as { listener: (req: unknown, res: unknown) => void };
    return { listener: mod.listener as never };
  },
};

