/**
 * srvx's `serve` with the plain app. With SRVX_FAST=1 the app answers with srvx's own
 * FastResponse instead of the global Response (srvx's documented fast path), so the
 * comparison covers srvx at its best as well as as-written.
 */
import { serve, FastResponse } from 'srvx';
import { createApp } from './app.ts';
import { listenAddress } from './listen.ts';

const app = process.env.SRVX_FAST === '1' ? createApp(FastResponse as unknown as typeof Response) : createApp();
const { port, host } = listenAddress();
serve({ fetch: app.fetch, port, hostname: host, silent: true, gracefulShutdown: false });
