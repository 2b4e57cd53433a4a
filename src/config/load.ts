/**
 * Find and load `bundle.config.{ts,mts,js,mjs}` the way vite loads its config (before rolldown):
 * bundle it with esbuild to a temporary .mjs beside it (so bare imports resolve from the
 * config's own folder), import that, delete it, and report the files it depends on.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PorticoError, showValue } from './errors.ts';
import type { ConfigEnv, PorticoConfig, UserConfig } from './define.ts';

/** Config file names, in the order they are looked for. */
export const CONFIG_FILES = ['bundle.config.ts', 'bundle.config.mts', 'bundle.config.js', 'bundle.config.mjs'];

export interface LoadedConfig {
  /** Absolute path of the config file, or undefined when there is none. */
  path: string | undefined;
  config: PorticoConfig;
  /** Absolute paths of the files the config imports (itself included), for watching. */
  dependencies: string[];
}

/**
 * The config file for `cwd`: the first of CONFIG_FILES in `cwd` or the nearest folder above it.
 *
 * @example
 * findConfigFile('/app/src'); // '/app/bundle.config.ts'
 */
export function findConfigFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILES) {
      const file = join(dir, name);
      if (existsSync(file)) return file;
    }
    // Stop at a package root: a config further up belongs to another project.
    const parent = dirname(dir);
    if (existsSync(join(dir, 'package.json')) || parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Load the config: from `configFile` when given (relative to `cwd`), else the one found from
 * `cwd`. With no config file, returns an empty config.
 *
 * @example
 * const { path, config, dependencies } = await loadConfig({ cwd: process.cwd(), command: 'bundle' });
 */
export async function loadConfig(options: { cwd: string; configFile?: string; command?: string }): Promise<LoadedConfig> {
  let path: string | undefined;
  if (options.configFile !== undefined) {
    path = isAbsolute(options.configFile) ? options.configFile : resolve(options.cwd, options.configFile);
    if (!existsSync(path)) {
      throw new PorticoError('PORTICO_NO_CONFIG', `config file ${path} does not exist; check the --config path`);
    }
  } else {
    path = findConfigFile(options.cwd);
  }
  if (!path) return { path: undefined, config: {}, dependencies: [] };

  const { code, dependencies } = await bundleConfig(path);
  const mod = await importTemp(path, code);
  let config = mod.default as UserConfig | undefined;
  if (typeof config === 'function') config = await config({ command: options.command ?? 'bundle' } satisfies ConfigEnv);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new PorticoError(
      'PORTICO_BAD_CONFIG',
      `${path} must \`export default defineConfig({ ... })\` (an object), got ${showValue(config)}`,
    );
  }
  return { path, config, dependencies };
}

/** Bundle the config with its relative imports; packages stay imports, except portico itself. */
async function bundleConfig(path: string): Promise<{ code: string; dependencies: string[] }> {
  const esbuild = await import('esbuild');
  const { porticoPlugin } = await import('../bundle/portico-plugin.ts');
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [path],
      absWorkingDir: dirname(path),
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
      // The config may use import.meta.url/dirname; the temp file sits in the same folder.
      plugins: [porticoPlugin()],
    });
  } catch (error) {
    const first = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new PorticoError('PORTICO_BAD_CONFIG', `cannot build ${path}: ${first?.text ?? String(error)}${where}`);
  }
  const dir = dirname(path);
  const dependencies = Object.keys(result.metafile.inputs).map((input) => resolve(dir, input));
  return { code: result.outputFiles[0]!.text, dependencies };
}

/** Import bundled config code through a temp file next to the config, then delete the file. */
async function importTemp(path: string, code: string): Promise<{ default?: unknown }> {
  const temp = `${path}.timestamp-${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.mjs`;
  writeFileSync(temp, code);
  try {
    return (await import(pathToFileURL(temp).href)) as { default?: unknown };
  } catch (error) {
    throw new PorticoError('PORTICO_BAD_CONFIG', `${path} threw while loading: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}
