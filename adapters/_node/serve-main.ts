/**
 * `serve()` as the main of a built server runs it (server.mjs, the executable): the crash
 * policy installed first, so that the listener enters its request scope from the first request
 * on; a limit `serve()` refuses printed as one line and exit code 2, as a bad flag is; exit
 * code 1 once listening fails (`serve()` has printed why), for a supervisor to see.
 *
 * Run time only.
 */
import type { App } from '../../src/app.ts';
import { installCrashPolicy } from './crash-policy.ts';
import { serve, type ServeHandle, type ServeOptions } from './serve.ts';

/**
 * @param label what the error line starts with: the file or executable name
 * @param onListenFailed what happens when listening fails; default exit 1 (a daemon-mode worker tells its primary first)
 *
 * @example
 * const handle = serveMain(app, { port: 3000, gateway: 'exe' }, 'shop');
 */
export function serveMain(app: App<any>, options: ServeOptions, label: string, onListenFailed: (error: unknown) => void = () => process.exit(1)): ServeHandle {
  let handle: ServeHandle | undefined;
  installCrashPolicy({ drain: () => handle?.close() ?? Promise.resolve() });
  try {
    handle = serve(app, options);
  } catch (error) {
    console.error(`${label}: ${(error as Error).message}`);
    process.exit(2);
  }
  handle.ready.catch(onListenFailed);
  return handle;
}
