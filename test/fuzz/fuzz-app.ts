/**
 * The app the HTTP fuzz and soak scripts bundle (node; fastcgi and scgi for bench/soak-classic.ts): it parses `request.url` and reads the
 * body as an app would, so a URL the gateway lets through broken shows up as a 500.
 */
import type { App } from '../../src/app.ts';

/** `size` zero bytes in 64 KiB chunks, made as the reader pulls (a streamed answer with backpressure). */
function stream(size: number): ReadableStream<Uint8Array> {
  let left = size;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const n = Math.min(65536, left);
      left -= n;
      if (n > 0) controller.enqueue(new Uint8Array(n));
      if (left === 0) controller.close();
    },
  }, { highWaterMark: 0 });
}

const app: App = {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/slow') await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? '200')));
    if (url.pathname === '/big') return new Response(new Uint8Array(Number(url.searchParams.get('size') ?? '1048576')));
    if (url.pathname === '/stream') return new Response(stream(Number(url.searchParams.get('size') ?? '1048576')));
    const size = request.method === 'GET' || request.method === 'HEAD' ? 0 : (await request.arrayBuffer()).byteLength;
    return Response.json({ method: request.method, path: url.pathname, search: url.search, host: url.host, size });
  },
};

export default app;
