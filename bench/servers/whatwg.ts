/** @whatwg-node/server: its server adapter is a node:http listener around the plain app. */
import { createServer } from 'node:http';
import { createServerAdapter } from '@whatwg-node/server';
import app from './app.ts';
import { listenAddress } from './listen.ts';

const adapter = createServerAdapter((request: Request) => app.fetch(request));
const { port, host } = listenAddress();
createServer(adapter).listen(port, host);
