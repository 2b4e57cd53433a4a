/**
 * The fastcgi and scgi targets behind a real nginx: the fixture built with the real CLI, its
 * built server.mjs listening where bundle.config.ts says, and nginx running the generated
 * nginx.conf / nginx-upstream.conf as written (included verbatim).
 */
import { join } from 'node:path';
import { buildClassic, startBoth, type Transport } from '../classic/classic-app.ts';
import { freePort, startNginx } from '../classic/peers.ts';
import { FIXTURE_APP, runConformance } from './suite.ts';

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
          // Requests outside the mount get nginx's own 404, as in a server with nothing else on it.
          server: `location / { return 404; }\ninclude ${app.dist}/nginx.conf;`,
        }),
      );
    },
  });
}
