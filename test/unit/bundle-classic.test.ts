// The fastcgi, scgi and cgi targets at build time: their options (checked, baked), the files
// written beside the script, and the generated nginx / Apache / lighttpd config accepted by the
// real servers' own syntax checks for addresses and mounts the conformance shims do not use
// (TCP, the root mount, a default socket). Serving through them is test/conformance/{nginx,apache,lighttpd}.test.ts.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bundle } from '../../src/bundle/bundle.ts';
import { awaitOutput } from '../child-output.ts';
import { cgiFcgi, meta } from '../classic/fcgi-client.ts';
import { requireBinary } from '../classic/peers.ts';

const APP = new URL('../fixtures/conformance-app.ts', import.meta.url).pathname;
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function build(target: string, options: Record<string, unknown>, basePath = '', pkgName?: string, sourcemap = false): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), `portico-classic-${target}-`));
  dirs.push(root);
  if (pkgName) writeFileSync(join(root, 'package.json'), JSON.stringify({ name: pkgName }));
  await bundle({ target, entry: APP, root, basePath, options, sourcemap });
  return join(root, 'dist', target);
}

const read = (dist: string, file: string): string => readFileSync(join(dist, file), 'utf8');

describe('classic target options', () => {
  for (const [target, options, message] of [
    ['fastcgi', { sokcet: '/x' }, /unknown option "fastcgi.sokcet"/],
    ['fastcgi', { socket: 'relative.sock' }, /"fastcgi.socket" must be an absolute unix socket path/],
    ['scgi', { socket: '/a.sock', port: 9000 }, /both set; keep one/],
    ['scgi', { port: 70000 }, /"scgi.port" must be a port number/],
    ['fastcgi', { socketMode: '660' }, /"fastcgi.socketMode" must be file permissions as a number/],
    ['cgi', { socket: '/a.sock' }, /unknown option "cgi.socket"/],
    ['cgi', { shebang: '/usr/bin/node' }, /"cgi.shebang" must be a "#!" line/],
    ['fastcgi', { name: 'my app' }, /"fastcgi.name" must be a name of letters/],
  ] as const) {
    it(`${target} ${JSON.stringify(options)} fails with PORTICO_BAD_OPTION`, async () => {
      await assert.rejects(build(target, options), (e: Error & { code?: string }) => e.code === 'PORTICO_BAD_OPTION' && message.test(e.message));
    });
  }
});

describe('files written beside the script', () => {
  it('fastcgi over TCP: every file names 127.0.0.1:9100, the app name from package.json', async () => {
    const dist = await build('fastcgi', { port: 9100 }, '/shop', '@acme/shop');
    assert.ok(existsSync(join(dist, 'server.mjs')));
    assert.match(read(dist, 'nginx-upstream.conf'), /upstream portico_shop \{\n\s+server 127\.0\.0\.1:9100;\n\s+keepalive/);
    assert.match(read(dist, 'nginx.conf'), /fastcgi_pass portico_shop;/);
    assert.match(read(dist, 'nginx.conf'), /fastcgi_param SCRIPT_NAME "\/shop";/);
    assert.match(read(dist, 'apache.conf'), /SetHandler "proxy:fcgi:\/\/127\.0\.0\.1:9100"/);
    assert.match(read(dist, 'lighttpd.conf'), /"host" => "127\.0\.0\.1",\s+"port" => 9100,/);
    assert.match(read(dist, 'portico-shop.socket'), /^ListenStream=127\.0\.0\.1:9100$/m);
    assert.match(read(dist, 'portico-shop.service'), new RegExp(`^ExecStart=/usr/bin/env node ${dist}/server\\.mjs$`, 'm'));
    assert.match(read(dist, 'server.mjs'), /\nstart\(\(\) => Promise\.resolve\(\)\.then\(\(\) => \(init_\w+\(\), \w+\)\), \{ "basePath": "\/shop", "trustProxy": false, "handleSignals": true, "port": 9100, "name": "shop" \}\);\n/, 'the configured address is baked in');
  });
  it('systemd service: SIGTERM to the main process only (KillMode=mixed); SIGHUP reload only when the config asks for workers', async () => {
    const single = read(await build('fastcgi', { port: 9100, name: 'unit' }), 'portico-unit.service');
    assert.match(single, /^KillMode=mixed$/m);
    assert.doesNotMatch(single, /^ExecReload=/m, 'one process has no reload: SIGHUP would end it');
    const daemon = read(await build('fastcgi', { port: 9100, workers: 'auto', name: 'unit' }), 'portico-unit.service');
    assert.match(daemon, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    assert.match(read(await build('scgi', { maxRequests: 1000, name: 'unit' }), 'portico-unit.service'), /^ExecReload=/m);
  });
  it('scgi with no address: the units and snippets share /run/portico/<name>.sock; nothing baked', async () => {
    const dist = await build('scgi', { name: 'blog' });
    assert.ok(!existsSync(join(dist, 'nginx-upstream.conf')), 'SCGI has no kept-alive upstream');
    assert.match(read(dist, 'nginx.conf'), /scgi_pass unix:\/run\/portico\/blog\.sock;/);
    assert.match(read(dist, 'nginx.conf'), /^location \/ \{/m);
    assert.match(read(dist, 'portico-blog.socket'), /^ListenStream=\/run\/portico\/blog\.sock$/m);
    assert.match(read(dist, 'portico-blog.socket'), /^SocketMode=0660$/m);
    assert.match(read(dist, 'server.mjs'), /\nstart\(\(\) => Promise\.resolve\(\)\.then\(\(\) => \(init_\w+\(\), \w+\)\), \{ "basePath": "", "trustProxy": false, "handleSignals": true, "name": "blog" \}\);\n/, 'no address baked in; the app imported lazily');
  });
  it('cgi: an executable CommonJS app.cgi with the shebang, package.json beside it, nginx.conf through fcgiwrap, no systemd files', async () => {
    const dist = await build('cgi', { shebang: '#!/usr/bin/node' }, '/app');
    const script = read(dist, 'app.cgi');
    assert.ok(script.startsWith('#!/usr/bin/node\n'), script.slice(0, 40));
    assert.ok(!script.includes('setSourceMapsSupport') && !existsSync(join(dist, 'app.cgi.map')), 'no source map unless asked for');
    assert.equal(statSync(join(dist, 'app.cgi')).mode & 0o777, 0o755);
    assert.deepEqual(JSON.parse(read(dist, 'package.json')), { type: 'commonjs' });
    assert.match(read(dist, 'nginx.conf'), /fastcgi_pass unix:\/run\/fcgiwrap\.socket;/, "Debian's fcgiwrap socket");
    assert.match(read(dist, 'nginx.conf'), new RegExp(`fastcgi_param SCRIPT_FILENAME ${dist}/app\\.cgi;`));
    assert.ok(!existsSync(join(dist, 'nginx-upstream.conf')));
    assert.ok(!readdirSync(dist).some((f) => f.endsWith('.service') || f.endsWith('.socket')), 'no systemd units');
    assert.match(read(dist, 'apache.conf'), new RegExp(`RewriteRule "\\^/app\\(/\\.\\*\\)\\?\\$" "${dist}/app\\.cgi\\$1" \\[H=cgi-script,L\\]`));
    assert.match(read(dist, 'lighttpd.conf'), new RegExp(`alias\\.url = \\("/app" => "${dist}/app\\.cgi"\\)`));
  });
  it('fastcgi with sourcemap: the systemd and lighttpd bin-path commands apply the map, and an error run that way names the source', async () => {
    const dist = await build('fastcgi', { name: 'shop' }, '', undefined, true);
    const service = read(dist, 'portico-shop.service');
    const command = /^ExecStart=(.*)$/m.exec(service)![1]!;
    assert.equal(command, `/usr/bin/env node --enable-source-maps ${dist}/server.mjs`);
    assert.match(read(dist, 'lighttpd.conf'), new RegExp(`"bin-path" => "/usr/bin/env node --enable-source-maps ${dist}/server\\.mjs"`));
    // That command as written (node from PATH), on a socket of our own.
    const socket = join(dist, 'test.sock');
    const [, ...args] = command.split(' ');
    const child = spawn(args[0]!, [...args.slice(1), '--socket', socket], { env: { PATH: `${dirname(process.execPath)}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const { logs } = await awaitOutput(child, /listening on/, 'server.mjs', 10_000);
      const reply = await cgiFcgi(socket, meta('/throw-sync'));
      assert.equal(reply.status, 500);
      for (let i = 0; i < 100 && !/fixture sync throw/.test(logs()); i++) await sleep(20);
      assert.match(logs(), /fixture sync throw \(at .*conformance-app\.ts:\d+:\d+\)/);
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('cgi with sourcemap: app.cgi turns source maps on itself, so an error logs the source file and line', async () => {
    const dist = await build('cgi', { shebang: `#!${process.execPath}` }, '', undefined, true);
    assert.ok(existsSync(join(dist, 'app.cgi.map')));
    // Run as a web server runs it: no flags, the request in the environment.
    const env = { GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', REQUEST_URI: '/throw-sync', SCRIPT_NAME: '', SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1' };
    const r = spawnSync(join(dist, 'app.cgi'), [], { env, encoding: 'utf8' });
    assert.match(r.stdout, /^Status: 500 /);
    assert.match(r.stderr, /fixture sync throw \(at .*conformance-app\.ts:\d+:\d+\)/, r.stderr);
  });
});

describe('the servers accept the generated files (their own syntax checks)', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['fastcgi', { port: 9101 }, ''],
    ['fastcgi', { name: 'n' }, '/a.b'],
    ['scgi', { port: 9102, host: '127.0.0.1' }, '/x'],
    ['cgi', {}, ''],
  ];
  for (const [target, options, basePath] of cases) {
    it(`${target} ${JSON.stringify(options)} at "${basePath || '/'}"`, async () => {
      const dist = await build(target, options, basePath);
      const dir = join(dist, '..');
      if (target !== 'cgi') {
        requireBinary('/usr/sbin/nginx', 'nginx');
        const conf = join(dir, 'nginx-test.conf');
        const upstream = target === 'fastcgi' ? `include ${dist}/nginx-upstream.conf;` : '';
        writeFileSync(conf, `pid ${dir}/nginx.pid; error_log stderr; events {} http { ${upstream} server { listen 127.0.0.1:1; include ${dist}/nginx.conf; } }`);
        const r = spawnSync('/usr/sbin/nginx', ['-t', '-q', '-p', dir, '-c', conf, '-e', '/dev/stderr'], { encoding: 'utf8' });
        assert.equal(r.status, 0, `nginx -t: ${r.stderr}\n${read(dist, 'nginx.conf')}`);
      }
      requireBinary('/usr/sbin/apache2', 'apache2');
      const mods = target === 'cgi' ? ['mpm_prefork', 'cgi', 'rewrite'] : ['mpm_event', 'proxy', target === 'fastcgi' ? 'proxy_fcgi' : 'proxy_scgi'];
      const httpd = join(dir, 'httpd-test.conf');
      writeFileSync(
        httpd,
        [`ServerRoot ${dir}`, 'Listen 127.0.0.1:1', `PidFile ${dir}/httpd.pid`, 'ErrorLog /dev/stderr', ...['authz_core', 'alias', ...mods].map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`), `Include ${dist}/apache.conf`].join('\n'),
      );
      const a = spawnSync('/usr/sbin/apache2', ['-t', '-f', httpd], { encoding: 'utf8' });
      assert.equal(a.status, 0, `apache2 -t: ${a.stderr}\n${read(dist, 'apache.conf')}`);
      requireBinary('/usr/sbin/lighttpd', 'lighttpd');
      const lconf = join(dir, 'lighttpd-test.conf');
      writeFileSync(lconf, `server.document-root = "${dir}"\nserver.port = 1\ninclude "${dist}/lighttpd.conf"\n`);
      const l = spawnSync('/usr/sbin/lighttpd', ['-tt', '-f', lconf, '-m', '/usr/lib/lighttpd'], { encoding: 'utf8' });
      assert.equal(l.status, 0, `lighttpd -tt: ${l.stdout}${l.stderr}\n${read(dist, 'lighttpd.conf')}`);
    });
  }
});

