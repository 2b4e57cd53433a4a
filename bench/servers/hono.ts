/** @hono/node-server with a Hono app: the way Hono users run on Node. */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { listenAddress } from './listen.ts';

const app = new Hono();
app.get('/', (c) => c.text('Hello, World!'));
app.post('/echo', async (c) => c.json(await c.req.json()));

const { port, host } = listenAddress();
serve({ fetch: app.fetch, port, hostname: host });
