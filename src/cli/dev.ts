/**
 * `portico dev [entry]`: serve the app on a local port, rebuilding and hot-swapping it on every
 * save, through the target's own adapter (node by default; `--target` for targets with a dev hook).
 * fastcgi and scgi serve on the socket or port bundle.config.ts names, or the one --socket or
 * --port/--host give (the developer's web server connects there), and cgi rewrites the script
 * the web server runs: no HTTP port of their own.
 * A change to bundle.config.ts reloads the config and restarts on the same port; a config that
 * no longer loads is reported and the running session keeps serving.
 */
import { resolve as resolvePath } from 'node:path';
import type { CAC } from 'cac';
import { type BuildFlags, portFlag, resolveFromFlags, UsageError, withBuildFlags } from './shared.ts';

export function registerDev(cli: CAC): void {
  withBuildFlags(cli.command('dev [entry]', 'Serve the app locally, rebuilding on every change'), { target: true, output: false })
    .option('--port <port>', 'Port (number, default: 3000; with --target fastcgi|scgi: the config\'s)')
    .option('--host <host>', 'Interface to bind (string, default: 127.0.0.1); with --target fastcgi|scgi the TCP address the web server connects to (default: the config\'s)')
    .option('--socket <path>', 'With --target fastcgi|scgi: listen on this unix socket; with cgi: the fcgiwrap socket nginx.conf names (string, default: the config\'s)')
    .option('--event <kind>', 'With --target lambda: the event each request becomes, v2 (Function URL / HTTP API), v1 (REST API), alb or alb-multi (string, default: v2)')
    .example('portico dev --port 8080')
    .example('portico dev --target lambda --event v1')
    .example('portico dev --target fastcgi   # on fastcgi.socket; nginx includes .portico/dev/fastcgi/nginx.conf')
    .example('portico dev --target fastcgi --port 9000   # on 127.0.0.1:9000, and the written configs say so')
    .action(async (entry: string | undefined, flags: BuildFlags) => {
      const givenPort = portFlag(flags.port);
      let port = givenPort ?? 3000;
      for (const name of ['host', 'socket'] as const) {
        if (flags[name] !== undefined && (typeof flags[name] !== 'string' || flags[name] === '')) throw new UsageError(`--${name} needs a value`);
      }
      const host = (flags.host as string | undefined) ?? '127.0.0.1';
      // As given, for the targets a web server reaches (fastcgi, scgi, cgi): a flag wins over the config.
      const devAddress = {
        port: givenPort,
        host: flags.host as string | undefined,
        socket: flags.socket === undefined ? undefined : resolvePath(flags.socket as string),
      };
      const [{ startDev }, { bundleOptionsFrom }] = await Promise.all([import('../dev/dev.ts'), import('../bundle/bundle.ts')]);

      const start = async () => {
        const config = await resolveFromFlags('dev', entry, flags);
        const session = await startDev({
          ...bundleOptionsFrom(config),
          // Dev builds go to <root>/.portico/dev/<target>/, out of the way of dist/.
          outDir: `${config.root}/.portico/dev`,
          port,
          host,
          devAddress,
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
