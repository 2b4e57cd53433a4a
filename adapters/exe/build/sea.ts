/**
 * Turn a CommonJS bundle, its assets and a base binary into one executable with Node's Single
 * Executable Applications: `node --build-sea` where the build's Node has it (25.5+), else
 * `node --experimental-sea-config` for the blob and postject to inject it and flip the fuse.
 *
 * Build time only.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PorticoError } from '../../../src/config/errors.ts';

/** The sentinel node looks for: postject flips its trailing `:0` to `:1` to say a blob is there. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** What goes into one executable. */
export interface SeaInput {
  /** The CommonJS bundle. */
  main: string;
  /** Asset key → absolute file path (public/..., native/...). */
  assets: Record<string, string>;
  /** The prepared base binary (left untouched: it is copied). */
  base: string;
  /** The executable to write. */
  output: string;
  /** A scratch folder for the config and the blob. */
  workDir: string;
  /**
   * V8 code cache in the blob: faster start, but only valid on the build's own Node version,
   * platform and architecture.
   */
  codeCache: boolean;
  /** Node options the executable starts with (`execArgv` of the SEA config; see `seaExecArgv`). */
  execArgv?: string[];
}

/**
 * The Node options every executable starts with, for a base binary of `version` (none where its
 * SEA config has no `execArgv`, before 24.6).
 *
 * `--min-semi-space-size=2` (MiB): the bundle's start allocates just past V8's first 1 MiB young
 * generation, and the scavenge that followed before the first response took 4.5–6.6 ms (seen
 * with --trace-gc); the plain node:http hello never has one. With 2 MiB it does not happen,
 * which took the executable's CPU to its first 200 from 1.11–1.18× a plain SEA hello's to
 * 0.98–1.10× (bench/README.md). It costs one more MiB of young generation.
 *
 * @example
 * seaExecArgv('24.22.3'); // ['--min-semi-space-size=2']
 * seaExecArgv('22.20.0'); // []
 */
export function seaExecArgv(version: string): string[] {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major > 24 || (major === 24 && minor >= 6) ? ['--min-semi-space-size=2'] : [];
}

/**
 * Whether this Node can write an executable itself (`--build-sea`, Node 25.5+).
 *
 * @example
 * hasBuildSea('25.5.0'); // true
 */
export function hasBuildSea(version: string = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major > 25 || (major === 25 && minor >= 5);
}

const run = promisify(execFile);

async function node(args: string[], cwd: string): Promise<void> {
  try {
    await run(process.execPath, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    const output = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').filter((l) => !/^warning: Can't find string offset/.test(l));
    throw new PorticoError('PORTICO_EXE_SEA', `${args[0]} failed: ${output.at(-1) ?? e.message}`);
  }
}

/**
 * Write `input.output`, an executable running `input.main` with `input.assets` inside.
 *
 * @example
 * await buildSea({ main: 'dist/exe/.sea/main.cjs', assets: {}, base, output: 'dist/exe/app', workDir: 'dist/exe/.sea', codeCache: true });
 */
export async function buildSea(input: SeaInput): Promise<void> {
  const config: Record<string, unknown> = {
    main: input.main,
    output: join(input.workDir, 'sea.blob'),
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: input.codeCache,
    ...(input.execArgv && input.execArgv.length > 0 ? { execArgv: input.execArgv } : {}),
    assets: input.assets,
  };
  const configPath = join(input.workDir, 'sea-config.json');
  if (hasBuildSea()) {
    writeFileSync(configPath, JSON.stringify({ ...config, executable: input.base, output: input.output }, null, 2));
    await node(['--build-sea', configPath], input.workDir);
  } else {
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    await node(['--experimental-sea-config', configPath], input.workDir);
    copyFileSync(input.base, input.output);
    chmodSync(input.output, 0o755);
    // postject in a child: it prints LIEF's warnings on the console, and its 100+ MB wasm heap
    // is gone with the child.
    const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
    await node([postject, input.output, 'NODE_SEA_BLOB', config.output as string, '--sentinel-fuse', SEA_FUSE], input.workDir);
  }
  chmodSync(input.output, 0o755);
}
