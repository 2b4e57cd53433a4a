/**
 * The node gateway (`portico/node`): serve a portico app on node:http, or get a request
 * listener to mount in a server of your own, and bring Express/Connect handlers in as apps.
 * The node bundler target (`adapters/node/build/target.ts`) writes an entry that calls
 * `serve(app, options)`; keep that signature stable.
 *
 * @example
 * import { serve } from 'portico/node';
 * import app from '../app.ts';
 * serve(app, { port: 3000, static: 'public', trustProxy: 'loopback' });
 */
export { serve, type ServeHandle, type ServeOptions } from '../../_node/serve.ts';
export { toNodeListener, DEFAULT_MAX_BODY_SIZE, type NodeListener, type NodeListenerOptions } from '../../_node/listener.ts';
export { fromNodeHandler, type NodeHandler } from '../../_node/node-handler.ts';
export { NodeRequest, BodyTooLargeError } from '../../_node/request.ts';
export type { TrustProxy } from '../../_node/proxy.ts';
export type { StaticFiles } from '../../_node/static.ts';
