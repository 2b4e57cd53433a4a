/**
 * `portico bundle --target exe --runtime bun` (build time): the app and `runtime/bun-start.ts`
 * bundled by esbuild as for every other target (one CommonJS file: the config's define and
 * external, module resolution and native addon handling apply unchanged), then `bun build
 * --compile` turns that file, with `public/` as embedded assets, into one executable with Bun
 * inside.
 *
 * Why esbuild first rather than Bun's bundler alone: esbuild's plugins apply, and one of them
 * (Node built-ins loaded on first use) is most of the start-up: the hello app answers its first
 * request in 1.15× the time of a plain Bun.serve hello this way, 1.55× from Bun's bundler alone
 * (bench/exe-bun.ts). Bun then re-bundles one file, in ~20 ms.
 *
 * Never imported by runtime code.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { BuildOptions } from 'esbuild';
import { nodePlatformOptions } from '../../../src/bundle/node-platform.ts';
import type { BuildContext, OutputFile } from '../../../src/bundle/target.ts';
import { manifestExpression, staticManifestFor } from '../../../src/bundle/static-manifest.ts';
import { PorticoError } from '../../../src/config/errors.ts';
import type { ExeTargetOptions } from '../../../src/config/define.ts';
import { bunPlatformInfo, hostBun, targetBun } from './bun-binary.ts';
import { lazyBuiltinsPlugin } from './lazy-builtins.ts';
import { bakedExe, exeName } from './options.ts';
import { hostPlatform, platformInfo, type ExePlatform } from './platforms.ts';

/**
 * Node built-ins the bun executable loads on first use: Bun builds each one when first imported,
 * and a start that serves over TCP calls none of them (node:net and node:fs serve --socket's
 * stale-socket check, node:child_process --open, node:async_hooks a request label the bun
 * executable does not use). Loaded at start they took the hello app from 1.29× to 1.78× of a
 * plain Bun.serve hello's time to first response (bench/exe-bun.ts, median of 15, both runs on
 * a loaded machine; node:net alone takes 60-160 ms to import in Bun 1.4.5 there).
 */
export const BUN_LAZY_BUILTINS = ['net', 'fs', 'child_process', 'async_hooks', 'crypto', 'fs/promises'];

/** The bundle `bun build --compile` starts from, in the scratch folder. */
function mainFile(work: string): string {
  return join(work, 'main.cjs');
}

/**
 * The entry: the app handed to `startBun` with the baked options and the public/ manifest.
 *
 * @example
 * bunEntrySource(ctx); // "import * as mod from '/app/src/app.ts'; import { startBun } from ...; startBun(mod, {...});"
 */
export function bunEntrySource(ctx: BuildContext): string {
  const baked = bakedExe(ctx);
  return [
    `import * as mod from ${JSON.stringify(ctx.entry)};`,
    `import { startBun } from ${JSON.stringify(join(ctx.porticoRoot, 'adapters/exe/runtime/bun-start.ts'))};`,
    `startBun(mod, ${JSON.stringify(baked)}${baked.static ? `, ${manifestExpression(staticManifestFor(ctx)!)}` : ''});`,
    '',
  ].join('\n');
}

/**
 * esbuild options: one CommonJS file resolved as on every Node target (Bun runs Node's
 * packages), with Bun's own modules left for Bun. CommonJS, as for the Node executable, because
 * its `require("./native/<addon>.node")` stays a plain `require` that `bun build --compile` sees
 * and embeds; an ES module's require comes from createRequire, which Bun cannot follow.
 *
 * @example
 * bunEsbuildOptions('/app/dist/exe/.sea'); // { platform: 'node', format: 'cjs', outfile: '/app/dist/exe/.sea/main.cjs', ... }
 */
export function bunEsbuildOptions(work: string): BuildOptions {
  const shared = nodePlatformOptions({ outfile: mainFile(work), outDir: work, format: 'cjs' });
  // Bun 1.x runs what Node 22 runs and more: no syntax lowering. Node built-ins that a plain
  // start never calls load on first use (lazy-builtins.ts).
  return { ...shared, target: 'esnext', external: ['bun', 'bun:*'], plugins: [...(shared.plugins ?? []), lazyBuiltinsPlugin(BUN_LAZY_BUILTINS)] };
}

/**
 * The files of the static manifest, linked (else copied) into `<work>/public`, so that
 * `--asset public` embeds exactly what the manifest lists: no `.env` or `.git` that sat in public/.
 */
function stagePublic(ctx: BuildContext, work: string): void {
  for (const key of Object.keys(staticManifestFor(ctx)!.files)) {
    const to = join(work, 'public', key);
    mkdirSync(dirname(to), { recursive: true });
    try {
      linkSync(join(ctx.publicDir!, key), to);
    } catch {
      copyFileSync(join(ctx.publicDir!, key), to);
    }
  }
}

const run = promisify(execFile);

/**
 * `bun build --compile` of the esbuild output, for the host or, with that platform's Bun from
 * the npm registry, another platform. Returns the executable written.
 *
 * @example
 * await packageBun(ctx, '/app/dist/exe/.sea'); // [{ path: '/app/dist/exe/shop', kind: 'linux-x64, Bun 1.4.5, 3 embedded files' }]
 */
export async function packageBun(ctx: BuildContext, work: string): Promise<OutputFile[]> {
  const o = ctx.options as ExeTargetOptions;
  const host = hostPlatform();
  const platform = platformInfo(o.platform ?? host).platform;
  const bun = await hostBun(ctx.root, platformInfo(host).platform as ExePlatform);
  const output = join(ctx.outDir, exeName(ctx) + platformInfo(platform).suffix);
  const baked = bakedExe(ctx);
  const args = ['build', '--compile', mainFile(work), '--outfile', output,
    // The executable reads nothing beside itself: no .env, bunfig.toml, tsconfig or package.json
    // of the folder it is started in (Bun would, by default, load the first two).
    '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig'];
  if (baked.static) {
    stagePublic(ctx, work);
    args.push('--asset', 'public');
  }
  // JavaScriptCore bytecode in the executable: the start skips parsing the bundle, 54.2 → 47.8 ms
  // to the first 200 of a hello (a plain Bun.serve hello: 42.5; median of 41, load 3), for 2.1 MB
  // more file. Only for the host: bytecode is tied to the Bun build that makes it, and a cross
  // build's Bun is another binary.
  if (platform === host) args.push('--bytecode');
  if (platform !== host) {
    const base = await targetBun(platform, bun.version);
    args.push(`--target=${bunPlatformInfo(platform).bunTarget}`, `--compile-executable-path=${base.path}`);
  }
  try {
    // From the scratch folder: assets keep their path relative to it (public/...).
    await run(bun.path, args, { cwd: work, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    const last = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').filter(Boolean).at(-1) ?? e.message;
    throw new PorticoError('PORTICO_EXE_BUN', `bun build --compile (Bun ${bun.version} from ${bun.source === 'PORTICO_BUN' ? 'PORTICO_BUN' : bun.path}) failed: ${last}; --runtime bun needs a Bun whose build has --asset and --no-compile-autoload-dotenv (1.4 or later: npm i -D bun@latest)`);
  }
  const files = baked.static ? Object.keys(staticManifestFor(ctx)!.files).length : 0;
  return [{ path: output, kind: `${platform}, Bun ${bun.version}${files ? `, ${files} embedded file${files === 1 ? '' : 's'}` : ''}` }];
}
