/**
 * `portico bundle [entry] --target <t>`: build the app for one target and print the output
 * files with their sizes.
 */
import type { CAC } from 'cac';
import { type BuildFlags, resolveFromFlags, withBuildFlags } from './shared.ts';

export function registerBundle(cli: CAC): void {
  withBuildFlags(cli.command('bundle [entry]', 'Bundle the app for a deployment target'), { target: true })
    .example('portico bundle --target lambda')
    .example('portico bundle src/app.ts --target node --outdir build --minify')
    .action(async (entry: string | undefined, flags: BuildFlags) => {
      const config = await resolveFromFlags('bundle', entry, flags);
      const [{ bundle, bundleOptionsFrom }, { sizeTable }] = await Promise.all([
        import('../bundle/bundle.ts'),
        import('../bundle/report.ts'),
      ]);
      const result = await bundle(bundleOptionsFrom(config));
      console.log(sizeTable(result.files, process.cwd()));
      console.log(`✓ ${config.target} bundle built in ${Math.round(result.durationMs)} ms`);
    });
}
