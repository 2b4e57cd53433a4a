/**
 * Run a built function.zip the way Lambda does: unzip it into a task root, start our Runtime
 * API (runtime-api-server.ts), and spawn AWS's runtime interface client (aws-lambda-ric, the
 * client inside AWS's Node base images) with the environment the managed runtime sets.
 *
 * Test tooling. Needs `unzip` (Debian package, in .ci/apt-packages).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RuntimeApiServer, type InvocationOutcome } from './runtime-api-server.ts';

const require = createRequire(import.meta.url);

/** The RIC's entry script, from node_modules. */
export function ricEntry(): string {
  return join(dirname(require.resolve('aws-lambda-ric/package.json')), 'index.mjs');
}

export interface RunningFunction {
  api: RuntimeApiServer;
  taskRoot: string;
  child: ChildProcess;
  invoke(event: unknown, options?: { timeoutMs?: number }): Promise<InvocationOutcome>;
  /** stdout + stderr of the runtime so far. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * @example
 * const fn = await startFunction('dist/lambda/function.zip');
 * const outcome = await fn.invoke(event);
 * await fn.stop();
 */
export async function startFunction(zipPath: string, options: { env?: Record<string, string>; handler?: string } = {}): Promise<RunningFunction> {
  const taskRoot = mkdtempSync(join(tmpdir(), 'portico-ric-'));
  const unzip = spawnSync('unzip', ['-q', zipPath, '-d', taskRoot], { encoding: 'utf8' });
  if (unzip.error || unzip.status !== 0) {
    rmSync(taskRoot, { recursive: true, force: true });
    throw new Error(`unzip failed (${unzip.error?.message ?? unzip.stderr}); install Debian's unzip (listed in .ci/apt-packages)`);
  }
  const api = await RuntimeApiServer.start();
  let output = '';
  const child = spawn(process.execPath, [ricEntry()], {
    cwd: taskRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_LAMBDA_RUNTIME_API: api.address,
      _HANDLER: options.handler ?? 'index.handler',
      LAMBDA_TASK_ROOT: taskRoot,
      LAMBDA_RUNTIME_DIR: dirname(ricEntry()),
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'portico-test',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/portico-test',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      NODE_OPTIONS: '',
      ...options.env,
    },
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    api,
    taskRoot,
    child,
    invoke: (event, o) => api.invoke(event, o),
    logs: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await api.close();
      rmSync(taskRoot, { recursive: true, force: true });
    },
  };
}
