/**
 * The target registry: `--target` name → lazy import of `adapters/<name>/target.ts`. Targets
 * load only when used, so `portico bundle --target node` never loads the Lambda packager.
 *
 * Adding a target: one line here, with a static import path (the prebuilt CLI, lib/cli.mjs,
 * bundles what these lines import).
 */
import { PorticoError } from '../config/errors.ts';
import type { Target } from './target.ts';

const registry: Record<string, () => Promise<{ target: Target }>> = {
  node: () => import('../../adapters/node/build/target.ts'),
  cloudflare: () => import('../../adapters/cloudflare/build/target.ts'),
  lambda: () => import('../../adapters/lambda/build/target.ts'),
  fastcgi: () => import('../../adapters/fastcgi/build/target.ts'),
  scgi: () => import('../../adapters/scgi/build/target.ts'),
  cgi: () => import('../../adapters/cgi/build/target.ts'),
  exe: () => import('../../adapters/exe/build/target.ts'),
};

/** Every registered target name, for `--help` and config checks. */
export const targetNames: readonly string[] = Object.keys(registry);

/**
 * @example
 * const target = await loadTarget('node');
 * target.entrySource(ctx);
 */
export async function loadTarget(name: string): Promise<Target> {
  const load = registry[name];
  if (!load) throw new PorticoError('PORTICO_BAD_TARGET', `unknown target ${JSON.stringify(name)}; use one of: ${targetNames.join(', ')}`);
  const { target } = await load();
  return target;
}
