/**
 * The main of a built scgi `server.mjs` (shipped in the bundle): the entry the scgi target
 * writes imports the app and calls `start(mod, baked)`.
 *
 * @example
 * import * as mod from '/app/src/app.ts';
 * start(mod, { basePath: '', trustProxy: false, handleSignals: true });
 */
import type { BakedClassicOptions } from '../../_cgi/options.ts';
import { startServer } from '../../_cgi/start.ts';
import { serveSCGI } from './scgi.ts';

export function start(mod: unknown, baked: BakedClassicOptions): void {
  startServer(mod, baked, 'scgi', 'SCGI', serveSCGI as never);
}
