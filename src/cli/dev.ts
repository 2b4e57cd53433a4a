/**
 * `portico dev [entry]`: serve the app on a local port, rebuilding and hot-swapping it on every
 * save, through the target's own adapter (node by default; `--target` for targets with a dev hook).
 * fastcgi and scgi serve on the socket bundle.config.ts names (the developer's web server
 * connects there) and cgi rewrites the script the web server runs: no HTTP port of its own.
 * A change to bundle.config.ts reloads the config and restarts on the same port; a config that
 * no longer loads is reported and the running session keeps serving.
 */
import type { CAC } from 'cac';
import { type BuildFlags, portFlag, resolveFromFlags, UsageError, withBuildFlags } from './shared.ts';

export function registerDev(cli: CAC): void {
  withBuildFlags(cli.command('dev [entry]', 'Serve the app locally, rebuilding on every change'), { target: true, output: false })
    .option('--port <port>', 'Port (number, default: 3000)')
    .option('--host <host>', 'Interface to bind (string, default: 127.0.0.1)')
    .option('--event <kind>', 'With --target lambda: the event each request becomes, v2 (Function URL / HTTP API), v1 (REST API), alb or alb-multi (string, default: v2)')
    .example('portico dev --port 8080')
    .example('portico dev --target lambda --event v1')
    .example('portico dev --target fastcgi   # on fastcgi.socket; nginx includes .portico/dev/fastcgi/nginx.conf')
    .action(async (entry: string | undefined, flags: BuildFlags) => {
      let port = portFlag(flags.port) ?? 3000;
      if (flags.host !== undefined && (typeof flags.host !== 'string' || flags.host === '')) throw new UsageError('--host needs a value');
      const host = (flags.host as string | undefined) ?? '127.0.0.1';
      const [{ startDev }, { bundleOptionsFrom }] = await Promise.all([import('../dev/dev.ts'), import('../bundle/bundle.ts')]);

      const start = async () => {
        const config = await resolveFromFlags('dev', entry, flags);
        const session = await startDev({
          ...bundleOptionsFrom(config),
          // Dev builds go to <root>/.portico/dev/<target>/, out of the way of dist/.
          outDir: `${config.root}/.portico/dev`,
          port,
          host,
          watchAlso: config.configDependencies,
          flags: flags as Record<string, unknown>,
          onConfigChange: (file) => void restart(file),
        });
        // Keep the port a restart binds, even when the first one was picked by the system (0).
        if (session.url.startsWith('http')) port = Number(new URL(session.url).port);
        console.log(`portico dev (${config.target}): ${session.url}`);
        for (const note of session.notes) console.log(`  ${note}`);
        return session;
      };
      let session = await start();
      let restarting = false;

      async function restart(file: string): Promise<void> {
        if (restarting) return;
        restarting = true;
        try {
          // Check the new config before dropping the running session.
          await resolveFromFlags('dev', entry, flags);
          console.log(`! ${file} changed: restarting`);
          await session.close();
          session = await start();
        } catch (error) {
          console.error(`portico dev: the config did not reload, still serving the previous one: ${(error as Error).message}`);
        } finally {
          restarting = false;
        }
      }

      const stop = () => {
        void session.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
