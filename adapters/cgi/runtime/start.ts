/**
 * The main of a built `app.cgi` (shipped in the bundle, which is CommonJS: no import.meta
 * here). Importing this module guards stdout and drops a request's HTTP_PROXY at once, so the
 * entry should import it before the app: an app that logs while it loads cannot then write
 * into the response.
 *
 * @example
 * // the entry the cgi target writes:
 * import { start } from '/portico/adapters/cgi/runtime/start.ts';
 * import * as mod from '/app/src/app.ts';
 * start(mod, { basePath: '', trustProxy: false, handleSignals: false });
 */
import { resolveApp } from '../../../src/app.ts';
import { errorLine } from '../../_cgi/handler.ts';
import type { BakedClassicOptions } from '../../_cgi/options.ts';
import { runCGI } from './cgi.ts';
import { guardStdout, removeHttpoxy } from './guard.ts';

const writeOut = guardStdout();
const params = removeHttpoxy(process.env);

export function start(mod: unknown, baked: BakedClassicOptions): void {
  let app;
  try {
    app = resolveApp(mod, 'the bundled app');
  } catch (error) {
    console.error(`[portico] app.cgi: ${errorLine(error)}`);
    writeOut('Status: 500 Internal Server Error\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 22\r\n\r\nInternal Server Error\n', 'latin1', () => process.exit(1));
    return;
  }
  void runCGI(app, {
    params,
    basePath: baked.basePath,
    trustProxy: baked.trustProxy,
    maxBodySize: baked.maxBodySize,
  });
}
