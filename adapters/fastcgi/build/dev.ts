/**
 * `portico dev --target fastcgi|scgi|cgi`: the app behind the developer's own web server.
 *
 * fastcgi, scgi: each good build (in .portico/dev/<t>/) runs as a worker, the built server.mjs
 * itself on a private socket, and the address of bundle.config.ts stays open across rebuilds
 * (dev-front.ts), so the nginx/Apache/lighttpd config that points there keeps working while the
 * app is restarted on every save. cgi: the web server runs .portico/dev/cgi/app.cgi per request,
 * so a rebuild is all a save needs. Either way the config files to include are written beside
 * the build, naming the source public/ folder so a saved static file is served at once.
 *
 * Build time only (dev tooling).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildContext, DevHandle } from '../../../src/bundle/target.ts';
import type { ClassicTargetOptions } from '../../../src/config/define.ts';
import { writeClassicConfigs } from './classic-package.ts';
import type { Transport } from './classic-options.ts';
import { socketModeHint } from '../../_cgi/server.ts';
import { DevFront } from './dev-front.ts';
import { addressText, escapeRegex, snippetInput } from './snippet-input.ts';

/**
 * Where the dev app is reached and the lines that say how to include its config files.
 *
 * @example
 * classicDevReach(ctx, 'fastcgi'); // { url: 'unix:/run/portico/shop.sock', notes: ['nginx: include ...'] }
 */
export function classicDevReach(ctx: BuildContext, transport: Transport): { url: string; notes: string[] } {
  const script = transport === 'cgi' ? 'app.cgi' : 'server.mjs';
  const input = snippetInput(ctx, transport, script, false);
  const notes = [
    ...(transport === 'cgi'
      ? [`${input.script} is rebuilt on every save; your web server runs it per request`]
      : [`serving ${join(ctx.outDir, script)} there, restarted on every save`]),
    ...(transport === 'fastcgi' ? [`nginx:    include ${join(ctx.outDir, 'nginx-upstream.conf')}; (http { }) and ${join(ctx.outDir, 'nginx.conf')}; (server { })`] : []),
    ...(transport === 'scgi' ? [`nginx:    include ${join(ctx.outDir, 'nginx.conf')}; (server { })`] : []),
    ...(transport === 'cgi' ? [`nginx:    include ${join(ctx.outDir, 'nginx.conf')}; (server { }; through fcgiwrap on ${addressText(input.address)})`] : []),
    `Apache:   Include ${join(ctx.outDir, 'apache.conf')}`,
    `lighttpd: include "${join(ctx.outDir, 'lighttpd.conf')}"`,
  ];
  return { url: transport === 'cgi' ? input.script : addressText(input.address), notes };
}

/** The sessions' fronts by address: one per address, kept from build to build. */
const fronts = new Map<string, DevFront>();
/** Replaced workers still draining; a session's end waits for them. */
const draining = new Set<Promise<void>>();

/**
 * The fastcgi/scgi dev hook: start the fresh build as a worker, send new connections to it, and
 * hand back a handle whose close stops it (the dev server closes the previous build's handle
 * after the swap; the front closes with the session's last handle).
 *
 * @example
 * async dev(ctx, build) { return socketDevHandle(ctx, 'fastcgi', build.outputFiles); }
 */
export async function socketDevHandle(ctx: BuildContext, transport: 'fastcgi' | 'scgi'): Promise<DevHandle> {
  writeClassicConfigs(ctx, transport, 'server.mjs', ctx.publicDir, false);
  const address = snippetInput(ctx, transport, 'server.mjs', false).address;
  const key = addressText(address);
  let front = fronts.get(key);
  if (!front) {
    const socketMode = (ctx.options as ClassicTargetOptions).socketMode;
    front = await DevFront.open(address, socketMode);
    fronts.set(key, front);
    // The socket the web server connects to is the front's (each build's own is private).
    const hint = 'socket' in address ? socketModeHint(address.socket, transport, socketMode) : undefined;
    if (hint) console.log(`[portico] ${hint}`);
  }
  const worker = new Worker(join(ctx.outDir, 'server.mjs'), front);
  await worker.start();
  const opened = front;
  return {
    async close() {
      // Still the one new connections go to: the session is ending, not moving on to a new build.
      if (worker.isCurrent()) {
        fronts.delete(key);
        await opened.close();
        await Promise.all([worker.stop(), ...draining]);
      } else {
        // Replaced: it drains in the background (the new build already serves).
        const stopped = worker.stop().finally(() => draining.delete(stopped));
        draining.add(stopped);
      }
    },
  };
}

/**
 * One build's server.mjs running as a child on a private socket. If it exits while it is the
 * current worker (an uncaught exception after start-up: the crash policy exits 1), it is started
 * again from the same build, and connections wait for it meanwhile.
 */
class Worker {
  static #count = 0;
  readonly #script: string;
  readonly #front: DevFront;
  readonly #dir = mkdtempSync(join(tmpdir(), 'portico-dev-'));
  #child: ChildProcess | undefined;
  #socket: string | undefined;
  #stopping = false;

  constructor(script: string, front: DevFront) {
    this.#script = script;
    this.#front = front;
  }

  isCurrent(): boolean {
    return this.#socket !== undefined && this.#front.worker === this.#socket;
  }

  /** Resolves once the worker listens and the front points at it; rejects (with its output) when it exits first. */
  async start(): Promise<void> {
    const socket = join(this.#dir, `w${++Worker.#count}.sock`);
    // Source maps applied: an error the app throws logs the developer's files and lines.
    // One process whatever the config says of workers: dev swaps whole builds itself, and a
    // primary would only put another process between the front and the app.
    const child = spawn(process.execPath, ['--enable-source-maps', this.#script, '--socket', socket, '--workers', '1', '--max-requests', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let output = '';
    // Its "listening on" line and any note about its socket name the private socket: the
    // front's address is the one to print.
    const notPrivate = (text: string): string => text.replace(new RegExp(`^.*${escapeRegex(socket)}.*\n?`, 'gm'), '');
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => fail(new Error(`the worker did not start within 10 s:\n${output}`)), 10_000);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      child.stdout!.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (!ready) {
          output += text;
          // Its own "listening on" line names the private socket: the front's address is the one to print.
          if (/listening on /.test(output)) {
            ready = true;
            clearTimeout(timer);
            process.stdout.write(notPrivate(output));
            resolve();
          }
        } else process.stdout.write(notPrivate(text));
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        if (!ready) output += chunk.toString();
        process.stderr.write(chunk);
      });
      child.once('exit', (code, signal) => {
        if (!ready) fail(new Error(`the app exited (${code ?? signal}) while starting:\n${output}`));
        else this.#exited(code ?? signal);
      });
    });
    this.#socket = socket;
    if (!this.#stopping) this.#front.point(socket);
  }

  #exited(how: number | string | null): void {
    if (this.#stopping || !this.isCurrent()) return;
    console.error(`portico dev: the app exited (${how}); starting this build again`);
    this.#front.point(undefined);
    this.#socket = undefined;
    this.start().catch((error: Error) => {
      if (!this.#stopping) console.error(`portico dev: it did not start again; save a fix: ${error.message}`);
    });
  }

  /** SIGTERM: the worker finishes in-flight requests, closes its connections and exits. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
