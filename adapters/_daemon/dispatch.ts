/**
 * What a built server's main does once its flags are read, the same for node's, the fastcgi and
 * the scgi `server.mjs`: with daemon mode asked for, become the primary (primary.ts, imported
 * only then, and never the app); otherwise load the app and serve it, as one process or as a
 * worker under supervision (worker.ts).
 *
 * Run time only.
 */
import { loadApp, type AppSource } from './app-source.ts';
import type { PrimaryOptions } from './primary.ts';
import { inDaemonWorker } from './role.ts';
import { needsPrimary, type DaemonSettings } from './settings.ts';
import { superviseWorker, type WorkerSupervision } from './worker.ts';

/**
 * @param primary what the primary needs beside the settings, should this process become one
 * @param serveApp serve the loaded app module; `supervision` is set in a worker
 *
 * @example
 * runRole(app, settings, { name: 'shop', label: 'server.mjs', socketPaths: [], listeningLine }, (mod, supervision) => ...);
 */
export function runRole(
  source: AppSource,
  settings: DaemonSettings,
  primary: Omit<PrimaryOptions, 'settings'>,
  serveApp: (mod: unknown, supervision: WorkerSupervision | undefined) => void,
): void {
  const worker = inDaemonWorker();
  if (!worker && needsPrimary(settings)) {
    void import('./primary.ts').then(({ runPrimary }) => runPrimary({ ...primary, settings }));
    return;
  }
  const supervision = worker ? superviseWorker(primary.name, settings) : undefined;
  void loadApp(source).then((mod) => serveApp(mod, supervision));
}
