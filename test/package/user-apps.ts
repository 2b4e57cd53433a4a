/**
 * The files of the user project pack.test.ts builds: apps written the way users write them
 * (importing `portico`, `hono`, `express` by name from the project's node_modules), and a
 * TypeScript file that uses every export, for the strict NodeNext type check.
 */

/** File name → source. Each app answers GET /async (after an await) and POST /json (echo, 201). */
export const APPS: Record<string, string> = {
  'app.ts': `import type { App } from 'portico';

const app: App = {
  fetch(request, _env, ctx) {
    return new Response(\`plain \${ctx.gateway} \${new URL(request.url).pathname}\`);
  },
};
export default app;
`,
  'hono-app.ts': `import { Hono } from 'hono';

const app = new Hono();
app.get('/async', async (c) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return c.text('hono async');
});
app.post('/json', async (c) => c.json({ got: await c.req.json() }, 201));
export default app;
`,
  'express-app.ts': `import express from 'express';
import { fromNodeHandler } from 'portico/node';

const app = express();
app.get('/async', async (_req, res) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  res.type('text/plain').send('express async');
});
app.post('/json', express.json(), (req, res) => {
  res.status(201).json({ got: req.body });
});
export default fromNodeHandler(app);
`,
};

/**
 * A module that imports every export (`specifiers`) and uses the main functions, with lines
 * that must NOT type-check (`@ts-expect-error`), so declarations typed as `any` fail the check.
 *
 * @example
 * writeFileSync('check.ts', typeCheckSource(['portico', 'portico/node']));
 */
export function typeCheckSource(specifiers: string[]): string {
  return `${specifiers.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}
import type { App, Context } from 'portico';
import { defineConfig } from 'portico/config';
import { fromNodeHandler, serve, toNodeListener, type ServeOptions } from 'portico/node';
import { handle } from 'portico/lambda';
import { toWorker } from 'portico/cloudflare';

const app: App = {
  fetch(request: Request, _env: Record<string, unknown>, ctx: Context): Response {
    return new Response(\`\${ctx.gateway} \${ctx.basePath} \${request.url}\`);
  },
};
export const config = defineConfig({ entry: 'app.ts', target: 'node', node: { port: 8080 } });
export const listener = toNodeListener(app);
export const bridged: App<any> = fromNodeHandler((_req, res) => res.end('ok'));
export const lambdaHandler = handle(app);
export const worker = toWorker(app);
export const start = (options: ServeOptions) => serve(app, options);
export const namespaces = [${specifiers.map((_, i) => `m${i}`).join(', ')}];

// @ts-expect-error: fetch must be a function
export const notAnApp: App = { fetch: 1 };
// @ts-expect-error: node.port is a number
defineConfig({ node: { port: 'eighty' } });
// @ts-expect-error: serve takes an app first
serve({ port: 3000 });
`;
}
