/**
 * The node target's shim: bundle the fixture with the real CLI (`portico bundle --target node
 * --base-path /mnt`), start the built `server.mjs` as its own process on an ephemeral loopback
 * port, and run the conformance suite against it over HTTP.
 *
 * PORTICO_TEST_NODE=/path/to/node runs the built bundle on another Node (e.g. 20 or 22, which
 * bundles must support); the toolchain that builds it stays the current one.
 */
import { startBundledNode } from './node-process.ts';
import { FIXTURE_APP, runConformance } from './suite.ts';

const runtime = process.env.PORTICO_TEST_NODE || undefined;

runConformance({
  name: `node (bundled server.mjs${runtime ? ` on ${runtime}` : ''})`,
  capabilities: { gateway: 'node' },
  start: ({ basePath }) => startBundledNode(FIXTURE_APP, { basePath, runtime }),
});
