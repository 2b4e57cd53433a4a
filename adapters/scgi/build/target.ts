/**
 * The `scgi` target: `dist/scgi/server.mjs`, an SCGI backend for nginx (`scgi_pass`), Apache
 * (`mod_proxy_scgi`) and lighttpd (`mod_scgi`), with their config files beside it. Built
 * exactly as the fastcgi target (adapters/fastcgi/build/socket-target.ts); only the runtime differs.
 */
import { socketTarget } from '../../fastcgi/build/socket-target.ts';

export const target = socketTarget(
  'scgi',
  'an SCGI backend for nginx, Apache, lighttpd: dist/scgi/server.mjs + nginx.conf, apache.conf, lighttpd.conf, systemd units',
);
