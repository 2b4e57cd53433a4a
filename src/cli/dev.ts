/**
 * `portico dev [entry]`: serve the app on a local port, rebuilding and hot-swapping it on every
 * save, through the target's own adapter (node by default; `--target` for targets with a dev hook).
 */
import type { CAC } from 'cac';
import { type BuildFlags, portFlag, resolveFromFlags, UsageError, withBuildFlags } from './shared.ts';

export function registerDev(cli: CAC): void {
  withBuildFlags(cli.command('dev [entry]', 'Serve the app locally, rebuilding on every change'), { target: true, output: false })
    .option('--port <port>', 'Port (number, default: 3000)')
    .option('--host <host>', 'Interface to bind (string, default: 127.0.0.1)')
    .example('portico dev --port 8080')
    .example('portico dev --target lambda')
    .action(async (entry: string | undefined, flags: BuildFlags) => {
      const port = portFlag(flags.port);
      if (flags.host !== undefined && (typeof flags.host !== 'string' || flags.host === '')) throw new UsageError('--host needs a value');
      const config = await resolveFromFlags('dev', entry, flags);
      const [{ startDev }, { bundleOptionsFrom }] = await Promise.all([import('../dev/dev.ts'), import('../bundle/bundle.ts')]);
      const session = await startDev({
        ...bundleOptionsFrom(config),
        // Dev builds go to <root>/.portico/dev/<target>/, out of the way of dist/.
        outDir: `${config.root}/.portico/dev`,
        port: port ?? 3000,
        host: (flags.host as string | undefined) ?? '127.0.0.1',
        watchAlso: config.configDependencies,
      });
      console.log(`portico dev (${config.target}): ${session.url}`);
      const stop = () => {
        void session.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
