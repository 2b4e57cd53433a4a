/**
 * Test harness for the Workers gateway: write a small project to a temp folder, bundle it with
 * the real bundler for `--target cloudflare`, and run dist/cloudflare in real workerd
 * (Miniflare, loopback, ephemeral port). No mocks: what runs is the built worker.js under the
 * generated wrangler.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundle, type BundleResult } from '../../src/bundle/bundle.ts';
import { startWorkerd, type RunningWorker } from '../../adapters/cloudflare/build/dev.ts';

// Wrangler must not phone home or look for a login in tests.
process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CI = 'true';

export interface Project {
  root: string;
  outDir: string;
  result: BundleResult;
  remove(): Promise<void>;
}

export interface ProjectOptions {
  basePath?: string;
  /** `config.cloudflare`. */
  cloudflare?: Record<string, unknown>;
  minify?: boolean;
  /** The app module's file name among `files`. Default 'app.ts'. */
  entry?: string;
}

/**
 * Write `files` (path → text) under a new temp folder and bundle its app for cloudflare.
 *
 * @example
 * const p = await buildProject({ 'app.ts': "export default { fetch: () => new Response('hi') }" });
 */
export async function buildProject(files: Record<string, string>, options: ProjectOptions = {}): Promise<Project> {
  const root = await mkdtemp(join(tmpdir(), 'portico-cf-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const result = await bundle({
    target: 'cloudflare',
    root,
    entry: options.entry ?? 'app.ts',
    publicDir: existsSync(join(root, 'public')) ? 'public' : undefined,
    basePath: options.basePath ?? '',
    minify: options.minify ?? false,
    options: options.cloudflare ?? {},
  });
  return { root, outDir: join(root, 'dist', 'cloudflare'), result, remove: () => rm(root, { recursive: true, force: true }) };
}

export interface Running extends RunningWorker {
  /** Every line the worker logged so far, as 'level: message'. */
  logs: string[];
  /** fetch() against the worker's origin. */
  get(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Run a built project in workerd.
 *
 * @example
 * const w = await run(project); const res = await w.get('/'); await w.close();
 */
export async function run(project: Project): Promise<Running> {
  const logs: string[] = [];
  const worker = await startWorkerd(project.outDir, { onLog: (level, message) => logs.push(`${level}: ${message}`) });
  return Object.assign(worker, {
    logs,
    get: (path: string, init?: RequestInit) => fetch(new URL(path, worker.url), init),
  });
}

/** The KV namespace binding `name` of a running worker, typed for what the tests use. */
export async function kvOf(worker: RunningWorker, name: string): Promise<{ get(key: string): Promise<string | null>; put(key: string, value: string): Promise<void>; delete(key: string): Promise<void> }> {
  return (await worker.miniflare.getKVNamespace(name)) as never;
}

/** Run the worker's scheduled handler as a cron trigger would. */
export async function triggerScheduled(worker: RunningWorker, cron: string): Promise<{ outcome: string }> {
  const fetcher = (await worker.miniflare.getWorker()) as unknown as { scheduled(options: { cron: string }): Promise<{ outcome: string }> };
  return fetcher.scheduled({ cron });
}

/** Poll `check` every 25 ms until it returns true or `ms` pass; returns whether it did. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}
