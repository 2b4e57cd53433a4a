/**
 * `portico bundle [entry] --target <t>`: build the app for one target and print the output
 * files with their sizes.
 */
import type { CAC } from 'cac';
import { type BuildFlags, resolveFromFlags, UsageError, withBuildFlags } from './shared.ts';

export function registerBundle(cli: CAC): void {
  withBuildFlags(cli.command('bundle [entry]', 'Bundle the app for a deployment target'), { target: true })
    .option('--platform <name>', 'exe target: linux-x64, linux-arm64 or win-x64 (string, default: exe.platform, else this machine)')
    .option('--runtime <name>', 'exe target: node or bun (string, default: exe.runtime, else node)')
    .example('portico bundle --target lambda')
    .example('portico bundle src/app.ts --target node --outdir build --minify')
    .action(async (entry: string | undefined, flags: BuildFlags) => {
      const config = await resolveFromFlags('bundle', entry, flags);
      if (flags.platform !== undefined) {
        if (config.target !== 'exe') throw new UsageError('--platform is an option of --target exe');
        if (typeof flags.platform !== 'string' || flags.platform === '') throw new UsageError('--platform needs a value, e.g. --platform win-x64');
        config.targetOptions.exe = { ...config.targetOptions.exe, platform: flags.platform };
      }
      if (flags.runtime !== undefined) {
        if (config.target !== 'exe') throw new UsageError('--runtime is an option of --target exe');
        if (typeof flags.runtime !== 'string' || flags.runtime === '') throw new UsageError('--runtime needs a value: node or bun');
        config.targetOptions.exe = { ...config.targetOptions.exe, runtime: flags.runtime };
      }
      const [{ bundle, bundleOptionsFrom }, { sizeTable }] = await Promise.all([
        import('../bundle/bundle.ts'),
        import('../bundle/report.ts'),
      ]);
      const result = await bundle(bundleOptionsFrom(config));
      console.log(sizeTable(result.files, process.cwd()));
      console.log(`✓ ${config.target} bundle built in ${Math.round(result.durationMs)} ms`);
    });
}
