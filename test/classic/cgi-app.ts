/** The app behind test/classic/cgi.test.ts's script: it logs, fetches, and uses waitUntil. */
import { existsSync, writeFileSync } from 'node:fs';

console.log('loading the app (must not reach stdout)');

export default {
  async fetch(request: Request, env: Record<string, string | undefined>, ctx: { basePath: string; platform: Record<string, string>; waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    console.log('in fetch (must not reach stdout)');
    console.info('info too');
    process.stdout.write('a direct stdout write (must not reach stdout)\n');
    const url = new URL(request.url);
    if (url.pathname === '/throw') throw new Error('cgi boom');
    if (url.pathname === '/fetch') {
      const upstream = await fetch(env.TARGET_URL!);
      return new Response(JSON.stringify({ upstream: await upstream.text(), envProxy: env.HTTP_PROXY ?? null, processProxy: process.env.HTTP_PROXY ?? null, platformProxy: ctx.platform.HTTP_PROXY ?? null }));
    }
    if (url.pathname === '/bytes') {
      const value = request.headers.get('x-bytes') ?? '';
      return new Response(JSON.stringify(Array.from(value, (c) => c.charCodeAt(0))));
    }
    if (url.pathname === '/wait-until') {
      // The work ends once the test creates RELEASE_FILE, after it saw the response end: no
      // timer that a loaded machine could outrun.
      ctx.waitUntil(new Promise((r) => {
        const poll = setInterval(() => {
          if (!existsSync(env.RELEASE_FILE!)) return;
          clearInterval(poll);
          writeFileSync(env.MARK_FILE!, 'done');
          r(undefined);
        }, 20);
      }));
      return new Response('answered');
    }
    const body = request.method === 'POST' ? await request.text() : '';
    return new Response(JSON.stringify({ url: request.url, basePath: ctx.basePath, body, cookie: request.headers.get('cookie') }), { headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2']] });
  },
};
