/**
 * The `cgi` target (build time): `dist/cgi/app.cgi`, an executable CommonJS script that Apache
 * (`mod_cgi`) or lighttpd (`mod_cgi`) runs once per request, with `apache.conf` and
 * `lighttpd.conf` beside it, and `nginx.conf` for nginx, which runs no CGI itself: it hands requests
 * to fcgiwrap (`cgi.fcgiwrapSocket`), which runs app.cgi.
 *
 * CommonJS because Node refuses ESM syntax in a file named `app.cgi`
 * (ERR_UNKNOWN_FILE_EXTENSION, DESIGN §6), and starts CommonJS faster, which a process per
 * request pays every time. A `package.json` saying so sits beside it, so an enclosing
 * `"type": "module"` package cannot change how Node reads it.
 *
 * Never imported by runtime code.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodePlatformOptions } from '../../../src/bundle/node-platform.ts';
import type { BuildContext, Target } from '../../../src/bundle/target.ts';
import type { ClassicTargetOptions } from '../../../src/config/define.ts';
import { bakeClassicOptions, checkClassicOptions } from '../../fastcgi/build/classic-options.ts';
import { packageClassic, writeClassicConfigs } from '../../fastcgi/build/classic-package.ts';
import { classicDevReach } from '../../fastcgi/build/dev.ts';

/** The first line of app.cgi unless `cgi.shebang` says otherwise. */
export const DEFAULT_SHEBANG = '#!/usr/bin/env node';

/**
 * What app.cgi starts with when it has a source map (always in `portico dev`, else with
 * `sourcemap: true`), so the app's stack traces name its own files and lines. Node maps only
 * the files it compiles after source maps are on, and the web server runs app.cgi with no
 * `--enable-source-maps` (a flag on the shebang line would depend on how its `env` splits
 * arguments): so app.cgi, run as the main module, turns them on and loads itself again as a
 * module, then stops. A CommonJS file may `return` at its top level (it runs in a function).
 */
const SOURCE_MAPS_PROLOGUE = [
  'if (require.main === module) {',
  "  const nodeModule = require('node:module');",
  '  if (nodeModule.setSourceMapsSupport) nodeModule.setSourceMapsSupport(true); else process.setSourceMapsEnabled(true);',
  '  delete require.cache[__filename];',
  '  require(__filename);',
  '  return;',
  '}',
].join('\n');

export const target: Target = {
  name: 'cgi',
  description: 'a CGI script for Apache or lighttpd mod_cgi: dist/cgi/app.cgi (executable) + apache.conf, lighttpd.conf',

  resolveOptions: (options) => checkClassicOptions('cgi', options),

  entrySource(ctx) {
    return [
      // The runtime first: importing it points console at stderr and drops HTTP_PROXY (httpoxy)
      // before the app's own top level runs, so an app that logs while loading cannot write
      // into the response.
      `import { start } from ${JSON.stringify(join(ctx.porticoRoot, 'adapters/cgi/runtime/start.ts'))};`,
      `import * as mod from ${JSON.stringify(ctx.entry)};`,
      `start(mod, ${JSON.stringify(bakeClassicOptions(ctx))});`,
      '',
    ].join('\n');
  },

  esbuildOptions(ctx) {
    // Resolved and bundled as on every Node target (src/bundle/node-platform.ts), as CommonJS:
    // Node refuses ESM syntax in a file named app.cgi.
    return {
      ...nodePlatformOptions({ outfile: join(ctx.outDir, 'app.cgi'), outDir: ctx.outDir, format: 'cjs' }),
      banner: { js: [(ctx.options as ClassicTargetOptions).shebang ?? DEFAULT_SHEBANG, ...(ctx.sourcemap ? [SOURCE_MAPS_PROLOGUE] : [])].join('\n') },
    };
  },

  package(ctx, build) {
    const pkg = makeRunnable(ctx);
    const files = packageClassic(ctx, build.outputFiles, 'cgi', 'app.cgi');
    files.push({ path: pkg, kind: 'config' });
    return files;
  },

  devReach: (ctx) => classicDevReach(ctx, 'cgi'),

  // The web server runs the script per request: a save needs the rebuilt app.cgi, made
  // runnable, and the config files beside it (naming the source public/ folder).
  dev(ctx) {
    makeRunnable(ctx);
    writeClassicConfigs(ctx, 'cgi', 'app.cgi', ctx.publicDir, false);
    return {};
  },
};

/** Make app.cgi executable, with a package.json beside it that says CommonJS; returns that file. */
function makeRunnable(ctx: BuildContext): string {
  chmodSync(join(ctx.outDir, 'app.cgi'), 0o755);
  const pkg = join(ctx.outDir, 'package.json');
  writeFileSync(pkg, '{ "type": "commonjs" }\n');
  return pkg;
}
