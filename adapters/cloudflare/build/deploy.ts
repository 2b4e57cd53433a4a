/**
 * `portico deploy --target cloudflare`: `wrangler deploy` on the built dist/cloudflare, so the
 * upload, auth and account handling are wrangler's own. `--dry-run` passes wrangler's
 * `--dry-run --outdir`, which builds the upload without network or an account.
 * Build time only (Node).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PorticoError } from '../../../src/config/errors.ts';
import { requireWrangler, wranglerSearchDirs } from './peers.ts';

export interface DeployOptions {
  /** Build the upload without sending it. Default false. */
  dryRun?: boolean;
  /** Where `--dry-run` writes what it would upload. Default: `<dir>-dry-run` beside dist/cloudflare. */
  outDir?: string;
  /** Extra arguments for `wrangler deploy` (e.g. ['--env', 'staging']). Default []. */
  args?: string[];
  /** Receives wrangler's output, line by line. Default: this process's stdout. */
  log?: (line: string) => void;
  /** Environment of the wrangler process. Default: this process's. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The wrangler CLI script: the project's own wrangler when it has one, else portico's.
 *
 * @example
 * wranglerBin('/app'); // '/app/node_modules/wrangler/bin/wrangler.js'
 */
export function wranglerBin(fromDir: string): string {
  const found = requireWrangler(wranglerSearchDirs(fromDir), 'deploying a Worker');
  const bin = join(dirname(found.packageJson), 'bin', 'wrangler.js');
  if (!existsSync(bin)) throw new PorticoError('PORTICO_MISSING_PEER', `wrangler ${found.version} has no bin/wrangler.js; reinstall it: npm i -D wrangler`);
  return bin;
}

/**
 * Run `wrangler deploy` for the built worker in `dir` (the folder holding wrangler.json).
 * Resolves with wrangler's output; rejects with PORTICO_DEPLOY_FAILED when wrangler fails.
 *
 * @example
 * await deployWorker('dist/cloudflare', { dryRun: true });
 */
export async function deployWorker(dir: string, options: DeployOptions = {}): Promise<{ output: string; outDir?: string }> {
  const config = join(dir, 'wrangler.json');
  if (!existsSync(config)) {
    throw new PorticoError('PORTICO_NOT_BUILT', `${config} does not exist; build first: portico bundle --target cloudflare`);
  }
  const args = [wranglerBin(dirname(dir)), 'deploy', '--config', config];
  let outDir: string | undefined;
  if (options.dryRun) {
    outDir = options.outDir ?? `${dir.replace(/[\\/]+$/, '')}-dry-run`;
    args.push('--dry-run', '--outdir', outDir);
  }
  args.push(...(options.args ?? []));
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const output = await run(process.execPath, args, dir, options.env ?? process.env, log);
  if (output.code !== 0) {
    throw new PorticoError(
      'PORTICO_DEPLOY_FAILED',
      `wrangler deploy exited with code ${output.code}; its output is above (log in with \`npx wrangler login\` or set CLOUDFLARE_API_TOKEN for a real deploy)`,
    );
  }
  return { output: output.text, outDir };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let pending = '';
    const take = (chunk: Buffer) => {
      const s = chunk.toString('utf8');
      text += s;
      pending += s;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) log(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending) log(pending);
      resolve({ code: code ?? 1, text });
    });
  });
}
