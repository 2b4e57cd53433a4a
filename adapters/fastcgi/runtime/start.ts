/**
 * The main of a built fastcgi `server.mjs` (shipped in the bundle): the entry the fastcgi target
 * writes calls `start(() => import(app), baked)`, so the app loads only where it serves.
 *
 * @example
 * start(() => import('/app/src/app.ts'), { basePath: '', trustProxy: false, handleSignals: true });
 */
import type { BakedClassicOptions } from '../../_cgi/options.ts';
import type { AppSource } from '../../_daemon/app-source.ts';
import { startServer } from '../../_cgi/start.ts';
import { serveFastCGI } from './fastcgi.ts';

export function start(app: AppSource, baked: BakedClassicOptions): void {
  startServer(app, baked, 'fastcgi', 'FastCGI', serveFastCGI as never);
}
