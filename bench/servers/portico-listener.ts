/**
 * portico's node gateway through `toNodeListener`, unbundled: the app answers with the native
 * global Response (what an app gets when it is not built by `portico bundle`).
 */
import { createServer } from 'node:http';
import { toNodeListener } from '../../adapters/node/runtime/node.ts';
import app from './app.ts';
import { listenAddress } from './listen.ts';

const { port, host } = listenAddress();
createServer(toNodeListener(app)).listen(port, host);
