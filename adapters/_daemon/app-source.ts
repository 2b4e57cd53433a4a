/**
 * How a built server's main gets its app: the entry the bundler writes passes a function that
 * imports it (esbuild keeps a dynamic `import()` lazy inside one file), so that the primary of
 * daemon mode never evaluates the app and a bad deploy cannot take the primary down; a single
 * process and each worker load it at start.
 *
 * Run time only.
 */

/** The app's module namespace, or a function importing it. */
export type AppSource = unknown | (() => Promise<unknown>);

/**
 * Load the app's module; a module that throws while loading is one log line and exit 1, as an
 * uncaught exception at start would be.
 *
 * @example
 * loadApp(() => import('./app.ts')).then((mod) => resolveApp(mod, 'the bundled app'));
 */
export function loadApp(source: AppSource): Promise<unknown> {
  const loading = typeof source === 'function' ? (source as () => Promise<unknown>)() : Promise.resolve(source);
  return loading.catch((error: unknown) => {
    console.error('[portico] the app failed to load:', error);
    process.exit(1);
  });
}
