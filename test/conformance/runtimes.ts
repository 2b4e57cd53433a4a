/**
 * The other Node versions that built bundles must run on (Lambda offers nodejs20.x, 22.x and
 * 24.x; the node target is built for node20). `.ci/run` installs Node 20 and 22 from the npm
 * registry and lists them in PORTICO_TEST_NODES (paths separated by ':'); elsewhere the
 * system's /usr/bin/node is used when it is another version than the one running the tests.
 * In CI an empty list is an error, never a silent skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface NodeRuntime {
  /** Absolute path of the node binary. */
  path: string;
  /** Its version, e.g. 'v20.20.2'. */
  version: string;
}

/**
 * @example
 * for (const { path, version } of otherNodeRuntimes()) console.log(version, path);
 */
export function otherNodeRuntimes(): NodeRuntime[] {
  const listed = (process.env.PORTICO_TEST_NODES ?? '').split(':').filter(Boolean);
  const paths = listed.length > 0 ? listed : existsSync('/usr/bin/node') ? ['/usr/bin/node'] : [];
  const runtimes: NodeRuntime[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new Error(`PORTICO_TEST_NODES names ${path}, which does not exist`);
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    if (version !== process.version && !runtimes.some((r) => r.version === version)) runtimes.push({ path, version });
  }
  if (runtimes.length === 0 && process.env.CI) {
    throw new Error('no other Node version to run the built bundles on: .ci/run sets PORTICO_TEST_NODES to Node 20 and 22 from the npm registry');
  }
  return runtimes;
}
