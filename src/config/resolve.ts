/**
 * Turn a loaded config plus CLI flags into a complete, checked build description. Small
 * resolver functions fill one field each, in order (Nitro's config loader): a later field may
 * depend on an earlier one (entry and outDir are relative to root). Every CLI flag wins over
 * the config; paths in flags are relative to the working directory, paths in the config are
 * relative to root.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { normalizeBasePath } from '../../adapters/_http/mount.ts';
import { PorticoError, badOption } from './errors.ts';
import type { PorticoConfig } from './define.ts';
import type { LoadedConfig } from './load.ts';

/** Flags given on the command line, in config terms. Paths are relative to `cwd`. */
export interface ConfigOverrides {
  entry?: string;
  target?: string;
  outDir?: string;
  basePath?: string;
  minify?: boolean;
  sourcemap?: boolean;
  lightResponse?: boolean;
}

export interface ResolvedConfig {
  /** Absolute config file path, or undefined. */
  configFile: string | undefined;
  /** Files the config depends on (restart dev when they change). */
  configDependencies: string[];
  root: string;
  entry: string;
  target: string;
  /** Absolute base output folder; a target writes to `<outDir>/<target>`. */
  outDir: string;
  publicDir: string | undefined;
  basePath: string;
  minify: boolean;
  sourcemap: boolean;
  /** undefined when the config does not say: the target's default applies. */
  lightResponse: boolean | undefined;
  define: Record<string, string>;
  external: string[];
  /** Each target's raw options (`config[target]`), checked later by the target itself. */
  targetOptions: Record<string, Record<string, unknown>>;
}

const TOP_LEVEL_KEYS = [
  'root', 'entry', 'target', 'outDir', 'publicDir', 'basePath', 'minify', 'sourcemap', 'lightResponse', 'define', 'external',
];

/** Module names tried, in order, when neither the config nor the CLI names the entry. */
export const DEFAULT_ENTRIES = ['src/app', 'app', 'src/index', 'index'].flatMap((base) =>
  ['.ts', '.mts', '.js', '.mjs'].map((ext) => base + ext),
);

/**
 * @example
 * const resolved = resolveConfig(await loadConfig({ cwd }), { cwd, targetNames: ['node'], overrides: { minify: true } });
 * resolved.entry; // '/app/src/app.ts'
 */
export function resolveConfig(
  loaded: LoadedConfig,
  options: { cwd: string; targetNames: readonly string[]; overrides?: ConfigOverrides },
): ResolvedConfig {
  const config = loaded.config;
  const flags = options.overrides ?? {};
  checkKeys(config, options.targetNames);
  const root = resolveRoot(config, loaded.path, options.cwd);
  const targetName = resolveTarget(flags.target ?? config.target, options.targetNames);
  return {
    configFile: loaded.path,
    configDependencies: loaded.dependencies,
    root,
    entry: resolveEntry(config, flags, root, options.cwd),
    target: targetName,
    outDir: resolveOutDir(config, flags, root, options.cwd),
    publicDir: resolvePublicDir(config, root),
    basePath: resolveBasePath(flags.basePath ?? config.basePath),
    minify: resolveBoolean('minify', flags.minify ?? config.minify, false),
    sourcemap: resolveBoolean('sourcemap', flags.sourcemap ?? config.sourcemap, false),
    lightResponse: resolveBoolean('lightResponse', flags.lightResponse ?? config.lightResponse, undefined),
    define: resolveDefine(config.define),
    external: resolveExternal(config.external),
    targetOptions: resolveTargetOptions(config, options.targetNames),
  };
}

function checkKeys(config: PorticoConfig, targetNames: readonly string[]): void {
  for (const key of Object.keys(config)) {
    if (TOP_LEVEL_KEYS.includes(key) || targetNames.includes(key)) continue;
    const known = [...TOP_LEVEL_KEYS, ...targetNames];
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
    throw new PorticoError(
      'PORTICO_BAD_OPTION',
      `unknown option "${key}"${near ? `; did you mean "${near}"?` : ''} (known options: ${known.join(', ')})`,
    );
  }
}

function resolveRoot(config: PorticoConfig, configPath: string | undefined, cwd: string): string {
  const base = configPath ? dirname(configPath) : cwd;
  if (config.root === undefined) return resolve(base);
  if (typeof config.root !== 'string') throw badOption('root', 'a string (a folder path)', config.root);
  const root = resolve(base, config.root);
  if (!isDir(root)) throw new PorticoError('PORTICO_BAD_OPTION', `"root" folder ${root} does not exist; fix the path in the config`);
  return root;
}

function resolveTarget(value: unknown, targetNames: readonly string[]): string {
  const name = value ?? 'node';
  if (typeof name !== 'string') throw badOption('target', `one of ${targetNames.join(', ')}`, name);
  if (!targetNames.includes(name)) {
    throw new PorticoError('PORTICO_BAD_TARGET', `unknown target ${JSON.stringify(name)}; use one of: ${targetNames.join(', ')}`);
  }
  return name;
}

function resolveEntry(config: PorticoConfig, flags: ConfigOverrides, root: string, cwd: string): string {
  let entry: string | undefined;
  if (flags.entry !== undefined) entry = resolve(cwd, flags.entry);
  else if (config.entry !== undefined) {
    if (typeof config.entry !== 'string') throw badOption('entry', 'a string (the path of your app module)', config.entry);
    entry = resolve(root, config.entry);
  }
  if (entry !== undefined) {
    if (!existsSync(entry) || isDir(entry)) {
      throw new PorticoError('PORTICO_NO_ENTRY', `entry ${entry} is not a file; pass the path of a module that does \`export default { fetch }\``);
    }
    return entry;
  }
  for (const candidate of DEFAULT_ENTRIES) {
    const file = resolve(root, candidate);
    if (existsSync(file)) return file;
  }
  throw new PorticoError(
    'PORTICO_NO_ENTRY',
    `no app module found in ${root} (looked for src/app.ts, app.ts, src/index.ts, index.ts); pass one (portico bundle path/to/app.ts) or set "entry" in bundle.config.ts`,
  );
}

function resolveOutDir(config: PorticoConfig, flags: ConfigOverrides, root: string, cwd: string): string {
  if (flags.outDir !== undefined) return resolve(cwd, flags.outDir);
  if (config.outDir === undefined) return resolve(root, 'dist');
  if (typeof config.outDir !== 'string' || config.outDir === '') throw badOption('outDir', 'a string (a folder path)', config.outDir);
  return resolve(root, config.outDir);
}

function resolvePublicDir(config: PorticoConfig, root: string): string | undefined {
  if (config.publicDir === false) return undefined;
  if (config.publicDir === undefined) {
    const dir = resolve(root, 'public');
    return isDir(dir) ? dir : undefined;
  }
  if (typeof config.publicDir !== 'string') throw badOption('publicDir', 'a string (a folder path) or false', config.publicDir);
  const dir = resolve(root, config.publicDir);
  if (!isDir(dir)) {
    throw new PorticoError('PORTICO_BAD_OPTION', `"publicDir" folder ${dir} does not exist; create it or set publicDir: false`);
  }
  return dir;
}

function resolveBasePath(value: unknown): string {
  if (value !== undefined && typeof value !== 'string') throw badOption('basePath', 'a string such as "/shop"', value);
  try {
    return normalizeBasePath(value as string | undefined);
  } catch (error) {
    throw new PorticoError('PORTICO_BAD_OPTION', (error as Error).message);
  }
}

function resolveBoolean<T extends boolean | undefined>(name: string, value: unknown, fallback: T): boolean | T {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw badOption(name, 'true or false', value);
  return value;
}

function resolveDefine(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badOption('define', 'an object of JS source strings, e.g. { __DEV__: "false" }', value);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw badOption(`define.${k}`, 'a string of JS source, e.g. "false" or \'"text"\'', v);
  }
  return { ...(value as Record<string, string>) };
}

function resolveExternal(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw badOption('external', 'an array of package names', value);
  }
  return [...value];
}

function resolveTargetOptions(config: PorticoConfig, targetNames: readonly string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of targetNames) {
    const value = (config as Record<string, unknown>)[name];
    if (value === undefined) {
      out[name] = {};
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw badOption(name, `an object of ${name} target options`, value);
    }
    out[name] = { ...(value as Record<string, unknown>) };
  }
  return out;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
