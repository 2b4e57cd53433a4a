/**
 * @hono/node-server with its `serveStatic` in front of the Hono app: how Hono users serve a
 * public/ folder on Node. PUBLIC_DIR names the folder (served from the working directory's
 * relative path, as serveStatic expects).
 */
import { relative } from 'node:path';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { listenAddress } from './listen.ts';

const dir = process.env.PUBLIC_DIR;
if (!dir) throw new Error('PORTICO_BENCH_PUBLIC_DIR: set PUBLIC_DIR to the public folder');
const app = new Hono();
app.use('*', serveStatic({ root: relative(process.cwd(), dir) || '.' }));
app.get('/', (c) => c.text('Hello, World!'));

const { port, host } = listenAddress();
serve({ fetch: app.fetch, port, hostname: host });
