/**
 * A user's project, as issue 6 tried it: portico packed with `npm pack`, installed from the
 * tarball into a fresh folder under the system temp dir (outside this repository, so nothing
 * resolves back into the checkout), beside the packages a user would have. Used by
 * pack.test.ts, which builds one such project and runs every case in it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const REPO = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

/** The environment for npm and the CLI in the project: none of `npm test`'s own npm_* variables. */
export function projectEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { WRANGLER_SEND_METRICS: 'false', CI: 'true' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_(package|lifecycle|config_local_prefix)|INIT_CWD$)/i.test(key)) env[key] ??= value;
  }
  return env;
}

/** Output of a finished command, and its exit code (never throws on a non-zero exit). */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * @example
 * const { code, stdout } = await run('npx', ['portico', 'bundle'], { cwd: project.dir });
 */
export async function run(command: string, args: string[], options: { cwd: string; timeoutMs?: number }): Promise<RunResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd: options.cwd,
      env: projectEnv(),
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as Error & { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}${typeof e.code === 'number' ? '' : e.message}` };
  }
}

/** Throw with the command's output unless it exited 0. */
export function ok(result: RunResult, what: string): RunResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The version of a package installed in this repository, so the project's install hits npm's cache. */
export function repoVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface PackedPortico {
  tarball: string;
  /** Paths inside the tarball, relative to the package root. */
  files: string[];
  /** How long `npm pack` (with its prepack/prepare build) took, ms. */
  ms: number;
}

/**
 * `npm pack` this repository into `dest` (runs prepack/prepare, so lib/ is built fresh).
 *
 * @example
 * const { tarball, files } = await packPortico('/tmp/x');
 */
export async function packPortico(dest: string): Promise<PackedPortico> {
  const started = performance.now();
  const { stdout } = ok(await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: REPO, timeoutMs: 180_000 }), 'npm pack');
  // npm prints the build's lines before the JSON report.
  const [report] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(dest, report!.filename), files: report!.files.map((f) => f.path), ms: performance.now() - started };
}

export interface UserProject {
  dir: string;
  /** How long `npm install` took, ms. */
  installMs: number;
}

/**
 * A fresh project in the temp dir with `packages` installed (a tarball path, `name@version` ...).
 *
 * @example
 * const project = await createUserProject([tarball, 'hono@4.13.19']);
 */
export async function createUserProject(packages: string[], files: Record<string, string>): Promise<UserProject> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-user-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'portico-user-project', private: true, type: 'module' }, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const started = performance.now();
  ok(await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages], { cwd: dir, timeoutMs: 480_000 }), 'npm install');
  return { dir, installMs: performance.now() - started };
}

/**
 * Start a long-running command in the project in its own process group, so that `stop()` ends
 * it and whatever it started (workerd) by that group's id.
 *
 * @example
 * const child = startInProject(dir, 'node', ['dist/node/server.mjs']);
 * await stopChild(child);
 */
export function startInProject(dir: string, command: string, args: string[]): ChildProcess {
  return spawn(command, args, { cwd: dir, env: projectEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

/** SIGTERM the child's group, SIGKILL it after 10 s; resolves once the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A minimal API Gateway HTTP API (v2) event.
 *
 * @example
 * await handler(v2Event('POST', '/json', '{"a":1}', { 'content-type': 'application/json' }), context);
 */
export function v2Event(method: string, path: string, body?: string, headers: Record<string, string> = {}): unknown {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc123.lambda-url.us-east-1.on.aws', 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.1', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'portico-test' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** The context argument of a Lambda invocation. */
export const lambdaContext = { awsRequestId: 'req-1', functionName: 'portico-user', getRemainingTimeInMillis: () => 30_000 };
