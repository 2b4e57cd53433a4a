/**
 * The app test/fuzz/lambda-events.ts bundles for Lambda: it reads everything a request offers
 * (URL, every header, the body, the abort signal) and never throws on its own, so any 500 or
 * "the app threw" line in a fuzz run is the gateway's fault.
 */
import type { App } from '../../src/app.ts';

const app: App = {
  async fetch(request) {
    const url = new URL(request.url);
    let names = 0;
    request.headers.forEach(() => names++);
    const body = new Uint8Array(await request.arrayBuffer());
    void request.signal;
    return Response.json({ method: request.method, path: url.pathname, names, size: body.length });
  },
};

export default app;
