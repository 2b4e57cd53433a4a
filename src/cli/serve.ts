/**
 * `portico serve [entry]`: bundle for node, then run the built server.mjs exactly as production
 * would (`node dist/node/server.mjs`), forwarding signals and its exit code. This is `npm start`.
 */
import type { CAC } from 'cac';
import { type BuildFlags, portFlag, resolveFromFlags, UsageError, withBuildFlags } from './shared.ts';

export function registerServe(cli: CAC): void {
  withBuildFlags(cli.command('serve [entry]', 'Bundle for node and run the built server'))
    .option('--port <port>', 'Port (number, default: PORT, else config node.port, else 3000)')
    .option('--host <host>', 'Interface to bind (string, default: HOST, else config node.host)')
    .option('--socket <path>', 'Listen on a unix socket instead (string, default: none)')
    .example('portico serve --port 8080')
    .action(async (entry: string | undefined, flags: BuildFlags) => {
      const port = portFlag(flags.port);
      for (const name of ['host', 'socket'] as const) {
        if (flags[name] !== undefined && (typeof flags[name] !== 'string' || flags[name] === '')) throw new UsageError(`--${name} needs a value`);
      }
      const config = await resolveFromFlags('serve', entry, { ...flags, target: 'node' });
      const { bundle, bundleOptionsFrom } = await import('../bundle/bundle.ts');
      const { spawn } = await import('node:child_process');
      const { relative, join } = await import('node:path');
      const result = await bundle(bundleOptionsFrom(config, 'node'));
      const server = join(result.ctx.outDir, 'server.mjs');
      console.log(`✓ built ${relative(process.cwd(), server)} in ${Math.round(result.durationMs)} ms`);
      const args = [server];
      if (port !== undefined) args.push('--port', String(port));
      if (flags.host !== undefined) args.push('--host', flags.host as string);
      if (flags.socket !== undefined) args.push('--socket', flags.socket as string);
      // Its own process group, so a Ctrl-C in the terminal reaches the server once (passed on
      // below), not twice: the runtime drains on the first signal and dies on a second one.
      const child = spawn(process.execPath, args, { stdio: 'inherit', detached: true });
      // The server drains and exits on SIGINT/SIGTERM itself; pass them on and wait for it.
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      const code = await new Promise<number>((resolve) => {
        child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
      });
      process.exitCode = code;
    });
}
