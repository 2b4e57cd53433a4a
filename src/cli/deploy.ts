/**
 * `portico deploy --target <t>`: bundle, then hand the files to the target's `deploy` hook
 * (Lambda through the AWS SDK, Workers through wrangler). Targets without one say so.
 * Unknown flags are allowed and passed to the hook (`--function-name x` → `{ functionName: 'x' }`).
 * What a target deploys is set in bundle.config.ts (`lambda: { region, role, ... }`): the README
 * lists each target's keys, with their types and defaults.
 */
import type { CAC } from 'cac';
import { type BuildFlags, resolveFromFlags, withBuildFlags } from './shared.ts';

export function registerDeploy(cli: CAC): void {
  withBuildFlags(cli.command('deploy [entry]', 'Bundle and deploy the app to its target', { allowUnknownOptions: true }), { target: true })
    .option('--skip-bundle', 'Deploy what is already in <outdir>/<target> (boolean, default: false)')
    .option('--dry-run', 'Bundle and show what would be deployed, changing nothing: lambda prints the plan (no AWS call), cloudflare runs wrangler deploy --dry-run (boolean, default: false)')
    .option('--dry-run-outdir <dir>', 'With --target cloudflare --dry-run: where wrangler writes the upload (string, default: <outdir>/cloudflare-dry-run)')
    .example('portico deploy --target lambda --dry-run')
    .example('portico deploy --target lambda')
    .example('portico deploy --target cloudflare')
    .action(async (entry: string | undefined, flags: BuildFlags) => {
      const config = await resolveFromFlags('deploy', entry, flags);
      const [{ loadTarget }, { PorticoError }] = await Promise.all([import('../bundle/targets.ts'), import('../config/errors.ts')]);
      const target = await loadTarget(config.target);
      if (!target.deploy) {
        throw new PorticoError(
          'PORTICO_NO_DEPLOY',
          `target ${target.name} has no deploy; ship ${target.name === 'node' ? 'dist/node/ (run: node server.mjs)' : `dist/${target.name}/`} yourself, or use a target that deploys (--target lambda or cloudflare)`,
        );
      }
      const { bundle, bundleOptionsFrom, prepareBuild } = await import('../bundle/bundle.ts');
      const options = bundleOptionsFrom(config);
      const { ctx, files } = flags.skipBundle
        ? { ...(await prepareBuild(options)), files: [] }
        : await bundle(options);
      await target.deploy(ctx, { files, flags, log: (line) => console.log(line) });
    });
}
