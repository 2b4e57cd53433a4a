/**
 * What several commands share: the build flags, turning flags into config overrides, and
 * loading + resolving the config. Light to import: heavy modules load inside the functions.
 */
import type { CAC, Command } from 'cac';
import type { ConfigOverrides, ResolvedConfig } from '../config/resolve.ts';
// Names only: the registry imports no target until one is used.
import { targetNames } from '../bundle/targets.ts';

/** Flags as cac parses them (camel-cased). */
export interface BuildFlags {
  config?: string;
  target?: string;
  outdir?: string;
  basePath?: string;
  minify?: boolean;
  sourcemap?: boolean;
  [key: string]: unknown;
}

/** A usage error: printed as one line with a `--help` hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Add the flags every building command takes. No cac defaults: a flag that is not given must
 * leave the config's value alone, so defaults are written in the descriptions.
 *
 * @example
 * withBuildFlags(cli.command('bundle [entry]', 'Bundle the app'), { target: true });
 */
export function withBuildFlags(command: Command, has: { target?: boolean; output?: boolean } = {}): Command {
  command.option('--config <path>', 'Config file (string, default: bundle.config.{ts,mts,js,mjs} found from the working dir)');
  if (has.target) command.option('--target <name>', `Deployment target: ${targetNames.join(', ')} (string, default: config "target", else node)`);
  if (has.output !== false) command.option('--outdir <dir>', 'Base output folder; files go to <dir>/<target> (string, default: dist)');
  command
    .option('--base-path <path>', 'Mount point of the app, e.g. /shop (string, default: "")')
    .option('--minify', 'Minify the bundle (boolean, default: false)')
    .option('--sourcemap', 'Write a source map (boolean, default: false)')
    .option('--light-response', "portico's light Response/Headers in the bundle; --no-light-response for the global ones (boolean, default: the target's)");
  return command;
}

function stringFlag(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new UsageError(`--${name} needs a value`);
}

function booleanFlag(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  throw new UsageError(`--${name} takes no value, got ${JSON.stringify(value)}`);
}

/**
 * Flags in config terms; a flag not given stays undefined so the config's value holds.
 *
 * @example
 * overridesFrom('src/app.ts', { minify: true });
 */
export function overridesFrom(entry: string | undefined, flags: BuildFlags): ConfigOverrides {
  return {
    entry,
    target: stringFlag('target', flags.target),
    outDir: stringFlag('outdir', flags.outdir),
    basePath: flags.basePath === undefined ? undefined : typeof flags.basePath === 'string' ? flags.basePath : stringFlag('base-path', flags.basePath),
    minify: booleanFlag('minify', flags.minify),
    sourcemap: booleanFlag('sourcemap', flags.sourcemap),
    lightResponse: booleanFlag('light-response', flags.lightResponse),
  };
}

/**
 * Load bundle.config.* and apply the flags over it.
 *
 * @example
 * const config = await resolveFromFlags('bundle', entry, flags);
 */
export async function resolveFromFlags(
  command: string,
  entry: string | undefined,
  flags: BuildFlags,
  cwd = process.cwd(),
): Promise<ResolvedConfig> {
  const overrides = overridesFrom(entry, flags);
  const [{ loadConfig }, { resolveConfig }] = await Promise.all([import('../config/load.ts'), import('../config/resolve.ts')]);
  const loaded = await loadConfig({ cwd, configFile: stringFlag('config', flags.config), command });
  return resolveConfig(loaded, { cwd, targetNames, overrides });
}

/** A port flag: an integer 0-65535, or undefined when not given. */
export function portFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535 || value === '' || value === true) {
    throw new UsageError(`--port must be a port number (0-65535), got ${JSON.stringify(value)}`);
  }
  return n;
}

export type CommandRegistrar = (cli: CAC) => void;
