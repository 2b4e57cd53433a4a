/**
 * The fastcgi and scgi targets behind a real nginx: the fixture built with the real CLI, its
 * built server.mjs listening where bundle.config.ts says, and nginx running the generated
 * nginx.conf / nginx-upstream.conf as written (included verbatim). The cgi target too: nginx
 * runs no CGI, so its nginx.conf hands requests to fcgiwrap (started here on a unix socket in
 * the temp folder, `cgi.fcgiwrapSocket`), which runs app.cgi once per request.
 */
import { join } from 'node:path';
import { buildClassic, startBoth, type Transport } from '../classic/classic-app.ts';
import { freePort, startNginx, startNginxFcgiwrap } from '../classic/peers.ts';
import { FIXTURE_APP, runConformance } from './suite.ts';

// Requests outside the mount get nginx's own 404, as in a server with nothing else on it.
const OUTSIDE = 'location / { return 404; }';

for (const [transport, where] of [['fastcgi', 'unix'], ['fastcgi', 'tcp'], ['scgi', 'unix']] as Array<[Transport, string]>) {
  runConformance({
    name: `nginx ${transport === 'fastcgi' ? 'fastcgi_pass (keep-conn)' : 'scgi_pass'} → ${transport} over ${where === 'unix' ? 'a unix socket' : 'TCP'}`,
    capabilities: { gateway: transport },
    async start({ basePath }) {
      const port = where === 'tcp' ? await freePort() : 0;
      const app = await buildClassic(FIXTURE_APP, transport, {
        basePath,
        options: (dir) => (where === 'unix' ? { socket: join(dir, 'app.sock') } : { port, host: '127.0.0.1' }),
      });
      return startBoth(app, () =>
        startNginx(app.dir, {
          http: transport === 'fastcgi' ? `include ${app.dist}/nginx-upstream.conf;` : '',
          server: `${OUTSIDE}\ninclude ${app.dist}/nginx.conf;`,
        }),
      );
    },
  });
}

// What fcgiwrap (1.1.0, Debian's) does not carry, whatever the script does: it collects the
// script's stdout and stderr (-f) in libfcgi's stream buffers and sends them on when the script
// exits (or a buffer fills; two writes a second apart reach a FastCGI client together).
const FCGIWRAP = {
  responseStreaming: 'fcgiwrap holds the script\'s output in its FastCGI stream buffer until the script exits (or the buffer fills), so a streamed body reaches nginx all at the end',
  clientAbort: 'fcgiwrap watches only the script\'s pipes while it runs: nginx closing the FastCGI connection for a client that left never reaches the script',
  waitUntilAfterResponse: 'fcgiwrap ends the FastCGI request only when the script has exited, so waitUntil work holds the response open (as under Apache mod_cgi)',
};

runConformance({
  name: 'nginx + fcgiwrap → cgi (app.cgi per request)',
  capabilities: { gateway: 'cgi', probe: 'logs', unsupported: FCGIWRAP },
  async start({ basePath }) {
    const app = await buildClassic(FIXTURE_APP, 'cgi', {
      basePath,
      options: (dir) => ({ shebang: `#!${process.execPath}`, fcgiwrapSocket: join(dir, 'fcgiwrap.sock') }),
    });
    return startBoth(app, () => startNginxFcgiwrap(app.dir, { server: `${OUTSIDE}\ninclude ${app.dist}/nginx.conf;` }), false);
  },
});
