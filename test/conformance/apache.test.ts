/**
 * The fastcgi, scgi and cgi targets behind a real Apache httpd (modules loaded by LoadModule
 * from Debian's /usr/lib/apache2/modules), the generated apache.conf included verbatim.
 * Apache's workers run as www-data: the socket is made connectable (fastcgi.socketMode) and
 * app.cgi starts a Node that www-data may execute (cgi.shebang).
 */
import { join } from 'node:path';
import { buildClassic, startBoth, type Transport } from '../classic/classic-app.ts';
import { shareableNode, startApache } from '../classic/peers.ts';
import { FIXTURE_APP, runConformance, type Capabilities } from './suite.ts';

const MODULES: Record<Transport, string[]> = {
  fastcgi: ['proxy', 'proxy_fcgi', 'alias', 'dir'],
  scgi: ['proxy', 'proxy_scgi', 'alias', 'dir'],
  cgi: ['cgi', 'rewrite', 'alias', 'dir'],
};

const CAPABILITIES: Record<Transport, Capabilities> = {
  fastcgi: {
    gateway: 'fastcgi',
    unsupported: {
      clientAbort: 'mod_proxy_fcgi waits on the app alone while a response is pending; it finds the client gone only when it next writes to it',
    },
  },
  scgi: {
    gateway: 'scgi',
    unsupported: {
      requestStreaming: 'mod_proxy_scgi answers a chunked upload (no Content-Length) with 411 itself',
      clientAbort: 'mod_proxy_scgi waits on the app alone while a response is pending; it finds the client gone only when it next writes to it',
    },
  },
  cgi: {
    gateway: 'cgi',
    probe: 'logs',
    unsupported: {
      clientAbort: 'mod_cgi does not tell a running script that the client went away (it only closes the pipes when the script is done)',
      waitUntilAfterResponse: 'mod_cgi completes a response only when the script closes stdout, and then terminates the script, so the gateway keeps stdout open until waitUntil work is done',
    },
  },
};

for (const transport of ['fastcgi', 'scgi', 'cgi'] as Transport[]) {
  runConformance({
    name: `Apache ${transport === 'cgi' ? 'mod_cgi' : `mod_proxy_${transport === 'fastcgi' ? 'fcgi' : 'scgi'}`} → ${transport}`,
    capabilities: CAPABILITIES[transport],
    async start({ basePath }) {
      const app = await buildClassic(FIXTURE_APP, transport, {
        basePath,
        options: (dir) => (transport === 'cgi' ? { shebang: `#!${shareableNode(dir)}` } : { socket: join(dir, 'app.sock'), socketMode: 0o666 }),
      });
      return startBoth(app, () => startApache(app.dir, MODULES[transport], `Include ${app.dist}/apache.conf`), transport !== 'cgi');
    },
  });
}
