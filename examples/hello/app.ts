/**
 * The built-in example: a plain `{ fetch }` app with no dependencies. `npm start` bundles it
 * for Node and serves it on http://127.0.0.1:3000.
 */
import type { App } from 'portico';

const app: App = {
  fetch(request, _env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === '/') {
      return new Response(`Hello from portico (${ctx.gateway})\n`, {
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    if (url.pathname === '/json') {
      return Response.json({ path: url.pathname, query: url.search, base: ctx.basePath, client: ctx.clientAddress ?? null });
    }
    if (url.pathname === '/echo' && request.method === 'POST') {
      return new Response(request.body, { headers: { 'content-type': request.headers.get('content-type') ?? 'application/octet-stream' } });
    }
    return new Response('Not Found\n', { status: 404 });
  },
};

export default app;
