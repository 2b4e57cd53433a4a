/**
 * The fastcgi, scgi and cgi targets behind a real lighttpd, the generated lighttpd.conf included
 * verbatim; for "bin-path" (lighttpd starts the app and hands it the listening socket on fd 0)
 * the file's commented bin-path line is uncommented, nothing else changed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClassic, startBoth, type Transport } from '../classic/classic-app.ts';
import { startLighttpd } from '../classic/peers.ts';
import { FIXTURE_APP, runConformance, type Capabilities } from './suite.ts';

// What lighttpd itself does not carry, whatever the app behind it does.
const LIGHTTPD = {
  requestStreaming:
    'lighttpd answers a chunked upload (no Content-Length) 411 when it streams request bodies to a backend (server.stream-request-body = 2 in lighttpd.conf; with 0 it would store the whole upload on disk first)',
  clientAbort: 'lighttpd stops watching the client once the request is read; it finds the client gone only when it next writes to it',
};

const CAPABILITIES: Record<Transport, Capabilities> = {
  fastcgi: { gateway: 'fastcgi', unsupported: LIGHTTPD },
  scgi: { gateway: 'scgi', unsupported: LIGHTTPD },
  cgi: { gateway: 'cgi', probe: 'logs', unsupported: LIGHTTPD },
};

for (const [transport, mode] of [['fastcgi', 'socket'], ['fastcgi', 'bin-path'], ['scgi', 'socket'], ['cgi', 'cgi']] as Array<[Transport, string]>) {
  runConformance({
    name: `lighttpd mod_${transport} → ${transport}${mode === 'bin-path' ? ' (bin-path: the app on fd 0)' : ''}`,
    capabilities: CAPABILITIES[transport],
    async start({ basePath }) {
      const app = await buildClassic(FIXTURE_APP, transport, {
        basePath,
        options: (dir) => (transport === 'cgi' ? { shebang: `#!${process.execPath}` } : { socket: join(dir, 'app.sock') }),
      });
      let include = join(app.dist, 'lighttpd.conf');
      if (mode === 'bin-path') {
        const text = readFileSync(include, 'utf8');
        const uncommented = text.replace(/^(\s*)# ("bin-path")/m, '$1$2');
        if (uncommented === text) throw new Error(`no commented "bin-path" line in ${include}:\n${text}`);
        include = join(app.dir, 'lighttpd-bin-path.conf');
        writeFileSync(include, uncommented);
      }
      return startBoth(app, () => startLighttpd(app.dir, `include "${include}"`), mode === 'socket');
    },
  });
}
