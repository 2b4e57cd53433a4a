/**
 * The Bun that builds (and is inside) an executable made with `--runtime bun`: `PORTICO_BUN`
 * when set, else the `bun` npm package of the user's project (`npm i -D bun`), else
 * `@oven/bun-<platform>` downloaded once from the npm registry into the user cache, checked
 * against its integrity and reused offline (base-binary.ts, as for Node). Building for another
 * platform takes that platform's Bun of the same version from the same place, handed to
 * `bun build --compile --compile-executable-path`, so no build reaches GitHub.
 *
 * Build time only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PorticoError } from '../../../src/config/errors.ts';
import { baseBinary, type BaseBinaryOptions } from './base-binary.ts';
import type { ExePlatform, PlatformInfo } from './platforms.ts';

/** Bun's names for an exe platform: its npm package and its `--target`. */
export interface BunPlatformInfo extends PlatformInfo {
  /** `bun build --target` value, e.g. 'bun-linux-arm64'. */
  bunTarget: string;
}

const BUN_NAMES: Record<ExePlatform, { pkg: string; target: string }> = {
  'linux-x64': { pkg: 'linux-x64', target: 'bun-linux-x64' },
  'linux-arm64': { pkg: 'linux-aarch64', target: 'bun-linux-arm64' },
  'win-x64': { pkg: 'windows-x64', target: 'bun-windows-x64' },
};

/**
 * @example
 * bunPlatformInfo('linux-arm64'); // { packageName: '@oven/bun-linux-aarch64', binaryPath: 'package/bin/bun', bunTarget: 'bun-linux-arm64', ... }
 */
export function bunPlatformInfo(platform: ExePlatform): BunPlatformInfo {
  const names = BUN_NAMES[platform];
  const windows = platform.startsWith('win-');
  return {
    platform,
    packageName: `@oven/bun-${names.pkg}`,
    binaryPath: windows ? 'package/bin/bun.exe' : 'package/bin/bun',
    suffix: windows ? '.exe' : '',
    bunTarget: names.target,
  };
}

/** A Bun binary and its version. */
export interface BunBinary {
  path: string;
  version: string;
  /** Where it came from, for the build's report line. */
  source: 'PORTICO_BUN' | 'project' | 'cache' | 'download';
}

/** The Bun npm packages are ~45 MB packed; the binary is used as it is (stripping saves 50 kB). */
function cacheOptions(info: BunPlatformInfo, version: string, options: BaseBinaryOptions): BaseBinaryOptions {
  return { ...options, version, runtime: { folder: 'bun', fileName: `bun${info.suffix}`, prepare: () => {}, label: 'Bun', size: '45 MB' } };
}

function versionOf(path: string): string {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  } catch (error) {
    throw new PorticoError('PORTICO_EXE_BUN', `${path} does not run as Bun (${(error as Error).message.split('\n')[0]}); point PORTICO_BUN at a Bun executable, or unset it`);
  }
}

/**
 * The project's own Bun, if it has the `bun` package: the platform package's binary when npm
 * ran no install script, else the one `bun`'s postinstall moved into `bun/bin/bun.exe` (a
 * placeholder of a few hundred bytes until it runs).
 */
function projectBun(root: string, host: BunPlatformInfo): string | undefined {
  const require = createRequire(join(root, 'package.json'));
  const candidates: string[] = [];
  for (const [pkg, file] of [[host.packageName, host.binaryPath.slice('package/'.length)], ['bun', 'bin/bun.exe']] as const) {
    try {
      candidates.push(join(dirname(require.resolve(`${pkg}/package.json`)), file));
    } catch {
      // not installed
    }
  }
  return candidates.find((path) => existsSync(path) && statSync(path).size > 1_000_000);
}

/**
 * The Bun that runs `bun build --compile` on this machine.
 *
 * @example
 * const bun = await hostBun('/home/ada/shop', 'linux-x64');
 * bun; // { path: '/home/ada/shop/node_modules/bun/bin/bun.exe', version: '1.4.5', source: 'project' }
 */
export async function hostBun(root: string, platform: ExePlatform, options: BaseBinaryOptions = {}, env: Record<string, string | undefined> = process.env): Promise<BunBinary> {
  if (env.PORTICO_BUN) {
    if (!existsSync(env.PORTICO_BUN)) throw new PorticoError('PORTICO_EXE_BUN', `PORTICO_BUN names ${env.PORTICO_BUN}, which does not exist; point it at a Bun executable, or unset it`);
    return { path: env.PORTICO_BUN, version: versionOf(env.PORTICO_BUN), source: 'PORTICO_BUN' };
  }
  const info = bunPlatformInfo(platform);
  const own = projectBun(root, info);
  if (own) return { path: own, version: versionOf(own), source: 'project' };
  let got;
  try {
    got = await baseBinary(info, cacheOptions(info, '1', options));
  } catch (error) {
    if (!(error instanceof PorticoError) || error.code !== 'PORTICO_EXE_OFFLINE') throw error;
    // The registry's message names the download; say first where else a Bun can come from.
    throw new PorticoError('PORTICO_EXE_OFFLINE', `no Bun for --runtime bun: PORTICO_BUN is unset, the project has no bun package (npm i -D bun), and ${error.message.replace(/^PORTICO_EXE_OFFLINE: /, '')}`);
  }
  return { path: got.path, version: got.version, source: got.cached ? 'cache' : 'download' };
}

/**
 * The Bun of `platform` at exactly `version` (the building Bun's: the executable format is
 * per release), for `--compile-executable-path`.
 *
 * @example
 * (await targetBun('win-x64', '1.4.5')).path; // '/home/ada/.cache/portico/bun/@oven+bun-windows-x64@1.4.5/bun'
 */
export async function targetBun(platform: ExePlatform, version: string, options: BaseBinaryOptions = {}): Promise<BunBinary> {
  const info = bunPlatformInfo(platform);
  const got = await baseBinary(info, cacheOptions(info, version, options));
  if (got.version !== version) {
    throw new PorticoError('PORTICO_EXE_BUN', `the registry has no ${info.packageName}@${version} to match the building Bun ${version}; use a Bun release that is published for ${platform}`);
  }
  return { path: got.path, version: got.version, source: got.cached ? 'cache' : 'download' };
}
