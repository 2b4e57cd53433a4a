/**
 * The `fastcgi` target: `dist/fastcgi/server.mjs`, a FastCGI 1.0 responder for nginx
 * (`fastcgi_pass`), Apache (`mod_proxy_fcgi`) and lighttpd (`mod_fastcgi`), with their config
 * files beside it (see socket-target.ts).
 */
import { socketTarget } from './socket-target.ts';

export const target = socketTarget(
  'fastcgi',
  'a FastCGI backend for nginx, Apache, lighttpd: dist/fastcgi/server.mjs + nginx.conf, apache.conf, lighttpd.conf, systemd units',
);
