/**
 * Finding the user's wrangler, and the miniflare that this wrangler itself depends on, for
 * `portico dev --target cloudflare` and `portico deploy --target cloudflare`.
 *
 * Why not `import('miniflare')`: a project often has a top-level miniflare of another major
 * than its wrangler's (npm's `latest` miniflare is 4 while wrangler 4.14x depends on a miniflare
 * 5 prerelease, nested under wrangler), and wrangler's option objects only fit its own miniflare.
 * A plain import then picked the wrong one and failed with a raw TypeError. So: wrangler from the
 * project (then portico's own), and miniflare resolved from inside that wrangler.
 * Build time only (Node).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PorticoError } from '../../../src/config/errors.ts';

type WranglerModule = typeof import('wrangler');
type MiniflareModule = typeof import('miniflare');

/** Where a wrangler package was found. */
export interface WranglerPackage {
  /** Its package.json. */
  readonly packageJson: string;
  readonly version: string;
}

/** wrangler and the miniflare it depends on, loaded. */
export interface WorkerTools {
  readonly wrangler: WranglerModule;
  readonly miniflare: MiniflareModule;
  readonly wranglerVersion: string;
  readonly miniflareVersion: string;
}

const INSTALL = 'npm i -D wrangler';

/**
 * The first wrangler found from each of `fromDirs` (Node's lookup: each folder's node_modules,
 * then its parents'), or undefined.
 *
 * @example
 * findWrangler(['/app/dist/cloudflare']); // { packageJson: '/app/node_modules/wrangler/package.json', version: '4.164.0' }
 */
export function findWrangler(fromDirs: readonly string[]): WranglerPackage | undefined {
  for (const dir of fromDirs) {
    try {
      const packageJson = createRequire(join(dir, 'noop.js')).resolve('wrangler/package.json');
      return { packageJson, version: versionOf(packageJson) };
    } catch {
      // not installed there: try the next place
    }
  }
  return undefined;
}

/** Where to look for wrangler: the project (from `dir` up), then portico's own install. */
export function wranglerSearchDirs(dir: string): string[] {
  return [dir, dirname(import.meta.filename)];
}

/**
 * The wrangler package, or a PORTICO_MISSING_PEER error naming the command to run.
 *
 * @example
 * requireWrangler(['/app/dist/cloudflare'], 'deploying a Worker');
 */
export function requireWrangler(fromDirs: readonly string[], purpose: string): WranglerPackage {
  const found = findWrangler(fromDirs);
  if (!found) throw new PorticoError('PORTICO_MISSING_PEER', `${purpose} needs wrangler in your project; install it: ${INSTALL}`);
  return found;
}

/**
 * Load wrangler (from the project, else portico's) and the miniflare wrangler itself uses.
 *
 * @example
 * const { wrangler, miniflare } = loadWorkerTools('/app/dist/cloudflare');
 */
export function loadWorkerTools(dir: string): WorkerTools {
  const purpose = 'running a Worker locally (portico dev --target cloudflare)';
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    throw new PorticoError('PORTICO_NODE_TOO_OLD', `${purpose} runs workerd through wrangler, which needs Node 22 or newer; this is Node ${process.versions.node}`);
  }
  const found = requireWrangler(wranglerSearchDirs(dir), purpose);
  const fromWrangler = createRequire(found.packageJson);
  let miniflarePackageJson: string;
  try {
    miniflarePackageJson = fromWrangler.resolve('miniflare/package.json');
  } catch {
    throw new PorticoError('PORTICO_MISSING_PEER', `wrangler ${found.version} at ${dirname(found.packageJson)} has no miniflare beside it; reinstall it: ${INSTALL}`);
  }
  const wrangler = fromWrangler(dirname(found.packageJson)) as WranglerModule;
  const miniflare = createRequire(miniflarePackageJson)(dirname(miniflarePackageJson)) as MiniflareModule;
  const miniflareVersion = versionOf(miniflarePackageJson);
  if (typeof wrangler.unstable_getMiniflareWorkerOptions !== 'function' || typeof miniflare.Miniflare !== 'function') {
    throw new PorticoError(
      'PORTICO_PEER_VERSION',
      `wrangler ${found.version} (miniflare ${miniflareVersion}) lacks the local-run API portico uses; install a current one: npm i -D wrangler@4`,
    );
  }
  return { wrangler, miniflare, wranglerVersion: found.version, miniflareVersion };
}

function versionOf(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string }).version ?? 'unknown';
}
