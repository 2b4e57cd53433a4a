/**
 * The app the classic gateway tests serve: echo, streams that count what was pulled, abort
 * observation, errors. Shared by the FastCGI, SCGI and CGI tests.
 */
import { FastResponse } from '../../adapters/_http/response.ts';

export const state = { pulled: 0, cancelled: false, aborted: false, waitUntilDone: false };

/** '/read-later' reads its body only once '/open-gate' was requested. */
let openGate: () => void = () => {};
let gate = new Promise<void>((resolve) => (openGate = resolve));

export const app = {
  async fetch(request: Request, _env: unknown, ctx: { basePath: string; gateway: string; clientAddress: string | undefined; platform: unknown; waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/throw':
        throw new Error('boom');
      case '/cookies':
        return new FastResponse('ok', { headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2']] as unknown as HeadersInit }) as unknown as Response;
      case '/fast':
        return new FastResponse('fast', { headers: { 'x-fast': '1' } }) as unknown as Response;
      case '/stream': {
        const size = Number(url.searchParams.get('size') ?? 65536);
        const count = Number(url.searchParams.get('n') ?? 16);
        let sent = 0;
        state.pulled = 0;
        state.cancelled = false;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent === count) return controller.close();
            sent++;
            state.pulled += size;
            controller.enqueue(new Uint8Array(size).fill(97 + (sent % 26)));
          },
          cancel() {
            state.cancelled = true;
          },
        }, { highWaterMark: 0 });
        return new FastResponse(stream, { headers: { 'content-type': 'application/octet-stream' } }) as unknown as Response;
      }
      case '/wait-abort':
        state.aborted = false;
        return new Promise((resolve) => {
          request.signal.addEventListener('abort', () => {
            state.aborted = true;
            resolve(new Response('aborted'));
          });
        });
      case '/slow':
        await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? 300)));
        return new Response('slow done');
      case '/wait-until':
        state.waitUntilDone = false;
        ctx.waitUntil(new Promise((r) => setTimeout(() => { state.waitUntilDone = true; r(undefined); }, 200)));
        return new Response('answered');
      case '/read-later': {
        await gate;
        gate = new Promise<void>((resolve) => (openGate = resolve));
        return new Response(String((await request.arrayBuffer()).byteLength));
      }
      case '/open-gate':
        openGate();
        return new Response('open');
      case '/echo-stream':
        return new Response(request.body);
      default: {
        const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
        return Response.json({
          method: request.method,
          url: request.url,
          basePath: ctx.basePath,
          gateway: ctx.gateway,
          clientAddress: ctx.clientAddress,
          headers: Object.fromEntries(request.headers),
          body,
        });
      }
    }
  },
};
