/**
 * The app the HTTP fuzz and soak scripts bundle for node: it parses `request.url` and reads the
 * body as an app would, so a URL the gateway lets through broken shows up as a 500.
 */
import type { App } from '../../src/app.ts';

const app: App = {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/slow') await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? '200')));
    if (url.pathname === '/big') return new Response(new Uint8Array(Number(url.searchParams.get('size') ?? '1048576')));
    const size = request.method === 'GET' || request.method === 'HEAD' ? 0 : (await request.arrayBuffer()).byteLength;
    return Response.json({ method: request.method, path: url.pathname, search: url.search, host: url.host, size });
  },
};

export default app;
