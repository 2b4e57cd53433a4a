/**
 * What the bun executable's `responseTimeout` costs on the hot path: its gateway (bunServe, the
 * code the executable runs) answering an async hello app with the default limits (the app's
 * promise raced against a 504, Bun's idle timer paused while it works) against
 * `--response-timeout 0 --stream-idle-timeout 0` (no wrapping), called in-process with a fake
 * server, so only the wrapper's own JavaScript is measured; a sync app takes neither path.
 *
 *   $PORTICO_BUN bench/exe-bun-deadline.ts [rounds]
 *
 * Runs under Bun (the gateway needs Bun's Request/Response). Starts no process, opens no socket.
 */
import { cpus, loadavg } from 'node:os';
import { bunServe } from '../adapters/exe/runtime/bun-serve.ts';
import type { BunGlobal, BunServeOptions, BunServer } from '../adapters/exe/runtime/bun-types.ts';

type Handler = BunServeOptions['fetch'];

const app = { fetch: () => Promise.resolve(new Response('hello')) };
const server = { requestIP: () => ({ address: '127.0.0.1', family: 'IPv4', port: 1 }), timeout: () => {} } as unknown as BunServer;

/** bunServe's fetch handler for `limits`, captured from a fake Bun.serve. */
function handlerFor(limits: { responseTimeout?: number; idleTimeout?: number }): Handler {
  let handler: Handler | undefined;
  const bun = { version: 'bench', embeddedFiles: [], serve: (o: BunServeOptions) => ((handler = o.fetch), server) } as unknown as BunGlobal;
  bunServe(bun, app, { listen: { port: 0, hostname: '127.0.0.1' }, basePath: '', trustProxy: false, ...limits });
  return handler!;
}

async function perCall(handler: Handler, calls: number): Promise<number> {
  const request = new Request('http://127.0.0.1/');
  const started = performance.now();
  for (let i = 0; i < calls; i++) await handler(request, server);
  return ((performance.now() - started) * 1000) / calls;
}

const rounds = Number(process.argv[2] ?? 7);
const wrapped = handlerFor({});
const bare = handlerFor({ responseTimeout: 0, idleTimeout: 0 });
await perCall(wrapped, 20_000);
await perCall(bare, 20_000);
const times: { wrapped: number[]; bare: number[] } = { wrapped: [], bare: [] };
for (let i = 0; i < rounds; i++) {
  times.bare.push(await perCall(bare, 200_000));
  times.wrapped.push(await perCall(wrapped, 200_000));
}
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
const bun = (globalThis as { Bun?: { version: string } }).Bun;
console.log(`${new Date().toISOString()}, Bun ${bun?.version ?? '(not Bun)'}, ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, load ${loadavg()[0]!.toFixed(2)}`);
console.log(`async hello through bunServe, µs per request (median of ${rounds} × 200k):`);
console.log(`  default limits (504 race, idle timer paused)  ${median(times.wrapped).toFixed(3)}`);
console.log(`  --response-timeout 0 --stream-idle-timeout 0  ${median(times.bare).toFixed(3)}`);
console.log(`  difference                                     ${(median(times.wrapped) - median(times.bare)).toFixed(3)}`);
