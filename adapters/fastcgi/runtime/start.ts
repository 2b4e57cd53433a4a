/**
 * The main of a built fastcgi `server.mjs` (shipped in the bundle): the entry the fastcgi target
 * writes imports the app and calls `start(mod, baked)`.
 *
 * @example
 * import * as mod from '/app/src/app.ts';
 * start(mod, { basePath: '', trustProxy: false, handleSignals: true });
 */
import type { BakedClassicOptions } from '../../_cgi/options.ts';
import { startServer } from '../../_cgi/start.ts';
import { serveFastCGI } from './fastcgi.ts';

export function start(mod: unknown, baked: BakedClassicOptions): void {
  startServer(mod, baked, 'fastcgi', 'FastCGI', serveFastCGI as never);
}
