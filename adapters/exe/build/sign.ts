/**
 * Sign a Windows executable after injection (`exe.sign` in bundle.config.ts) with osslsigncode,
 * the base's own signature having been removed before injection (prepare-base.ts).
 *
 * Build time only.
 */
import { spawnSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { resolve } from 'node:path';
import { PorticoError } from '../../../src/config/errors.ts';

/**
 * @example
 * signWindows('dist/exe/shop.exe', { cert: 'cert.pem', key: 'key.pem' }, '/app', 'shop');
 */
export function signWindows(file: string, sign: { cert: string; key: string; password?: string }, root: string, name: string): void {
  const signed = `${file}.signed`;
  const args = ['sign', '-certs', resolve(root, sign.cert), '-key', resolve(root, sign.key), '-n', name, '-h', 'sha256', '-in', file, '-out', signed];
  if (sign.password !== undefined) args.splice(1, 0, '-pass', sign.password);
  const run = spawnSync('osslsigncode', args, { encoding: 'utf8' });
  if (run.status !== 0) {
    const why = run.error ? 'osslsigncode is not installed (Debian/Ubuntu: apt-get install osslsigncode)' : (run.stdout + run.stderr).trim().split('\n').at(-1);
    throw new PorticoError('PORTICO_EXE_SIGN', `signing ${file} failed: ${why}; check exe.sign's cert and key (PEM files)`);
  }
  renameSync(signed, file);
}
