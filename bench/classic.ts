/**
 * Classic gateways benchmark. Behind one nginx (one worker), the same app shape four ways:
 *   portico      nginx → portico FastCGI (server.mjs, unix socket, fastcgi_keep_conn; the
 *                generated nginx.conf / nginx-upstream.conf as written)
 *   http-proxy   nginx → proxy_pass (kept-alive upstream) → raw node:http (bench/servers/raw.ts)
 *   php-fpm      nginx → php-fpm (Debian's php8.2-fpm, bench/servers/hello.php, keep-conn)
 *   node-fastcgi nginx → node-fastcgi (npm; no keep-conn: it resets kept connections)
 * for GET and a 4 KB JSON POST, with wrk; backends pinned to core 1, nginx and wrk to core 0
 * (--no-pin: wherever the kernel puts them).
 * Rounds are interleaved and each ratio taken within its round (medians shown).
 *
 * Then CGI: Apache mod_cgi running the portico cgi bundle vs a bare `node -e` hello script,
 * median latency of sequential GETs, interleaved.
 *
 *   node bench/classic.ts [--rounds 3] [--duration 5] [--cgi-requests 40] [--buffered] [--no-pin] [--no-cgi] [--workers 1]
 *
 * A script, not a test. Needs nginx, apache2, php-fpm, wrk (Debian). See bench/README.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from './_lib/load.ts';
import { payloadJson } from './_lib/payload.ts';
import { cpuMilliseconds, freePort, installCleanup, start, stopAll, waitForHttp } from './_lib/processes.ts';
import { formatInt, formatRatio, markdownTable, median } from './_lib/stats.ts';
import { requireBinary, shareableNode, startApache, startNginx, type RunningPeer } from '../test/classic/peers.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    'cgi-requests': { type: 'string', default: '40' },
    // Also portico with nginx's default request buffering (the generated nginx.conf turns it
    // off so uploads stream to the app as they arrive): what that choice costs.
    buffered: { type: 'boolean', default: false },
    'no-cgi': { type: 'boolean', default: false },
    // Let the kernel place nginx, wrk and the backends (a box where the web server and the app
    // share cores) instead of nginx + wrk on core 0 and the backends on core 1. Pinned, a fast
    // backend leaves core 0 the limit, so req/s compare nginx's paths more than the backends.
    'no-pin': { type: 'boolean', default: false },
    // portico's server.mjs with this many workers (daemon mode); php-fpm keeps its 2 children.
    // Pinned, the workers share core 1 with the other backends: add --no-pin to spread them.
    workers: { type: 'string', default: '1' },
  },
});
const rounds = Number(flags.rounds);
const BACKEND_CPU = flags['no-pin'] ? undefined : 1;
const LOAD_CPU = flags['no-pin'] ? undefined : 0;
const seconds = Number(flags.duration);
installCleanup((rounds * 8 * (seconds + 2) + 240) * 1000);

for (const [bin, pkg] of [['/usr/sbin/nginx', 'nginx'], ['/usr/sbin/apache2', 'apache2'], ['/usr/sbin/php-fpm8.2', 'php8.2-fpm'], ['/usr/bin/wrk', 'wrk']]) requireBinary(bin!, pkg!);

const work = mkdtempSync(join(tmpdir(), 'portico-bench-classic-'));
chmodSync(work, 0o755);
const peers: RunningPeer[] = [];
const cleanup = async (): Promise<void> => {
  for (const p of peers) await p.stop();
  await stopAll();
  rmSync(work, { recursive: true, force: true });
};

/** A process and its children (nginx's worker, php-fpm's pool). */
function family(pid: number): number[] {
  // ps exits 1 when there is no child.
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  return [pid, ...out.split('\n').map((s) => s.trim()).filter(Boolean).map(Number)];
}

/** Pin a process and its children to one core. */
function pin(pid: number, cpu: number): void {
  for (const p of family(pid)) execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(p)], { stdio: 'ignore' });
}

/**
 * CPU seconds used so far by a process and its children, from schedstat (nanoseconds): /proc's
 * 10 ms ticks misattribute the short bursts of a server that sleeps between requests.
 */
function familyCpu(pid: number): number {
  return family(pid).reduce((sum, p) => sum + (cpuMilliseconds(p) ?? 0), 0) / 1000;
}

function bundle(target: string, options: Record<string, unknown>, basePath = ''): string {
  const dir = join(work, target);
  target = target.replace(/-.*/, '');
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'bundle.config.ts'), `export default ${JSON.stringify({ [target]: options, publicDir: false })};\n`);
  const args = [join(root, 'bin/portico.mjs'), 'bundle', join(here, 'servers/app.ts'), '--target', target];
  if (basePath) args.push('--base-path', basePath);
  execFileSync(process.execPath, args, { cwd: dir, stdio: 'ignore' });
  return join(dir, 'dist', target);
}

try {
  // --- backends (core 1) ---
  const porticoDist = bundle('fastcgi', { socket: join(work, 'portico.sock') }, '/portico');
  const portico = start(process.execPath, [join(porticoDist, 'server.mjs'), '--workers', flags.workers], { cpu: BACKEND_CPU });
  let bufferedDist = '';
  let buffered: ReturnType<typeof start> | undefined;
  if (flags.buffered) {
    bufferedDist = bundle('fastcgi-buffered', { socket: join(work, 'buffered.sock'), name: 'buffered' }, '/buffered');
    buffered = start(process.execPath, [join(bufferedDist, 'server.mjs')], { cpu: BACKEND_CPU });
  }
  const rawPort = await freePort();
  const raw = start(process.execPath, [join(here, 'servers/raw.ts')], { cpu: BACKEND_CPU, env: { PORT: String(rawPort) } });
  const nodeFcgi = start(process.execPath, [join(here, 'servers/node-fastcgi.cjs')], { cpu: BACKEND_CPU, env: { SOCKET: join(work, 'node-fastcgi.sock') } });
  writeFileSync(
    join(work, 'php-fpm.conf'),
    `[global]\npid = ${work}/php-fpm.pid\nerror_log = ${work}/php-fpm.log\ndaemonize = no\n[bench]\nlisten = ${work}/php.sock\npm = static\npm.max_children = 2\n`,
  );
  const php = start('/usr/sbin/php-fpm8.2', ['-R', '-F', '-y', join(work, 'php-fpm.conf')], { cpu: BACKEND_CPU });
  await waitForHttp(`http://127.0.0.1:${rawPort}/`, raw);
  const fcgiParams = (script: string): string =>
    ['REQUEST_METHOD $request_method', 'REQUEST_URI $request_uri', 'QUERY_STRING $query_string', 'CONTENT_TYPE $content_type', 'CONTENT_LENGTH $content_length', 'SERVER_PROTOCOL $server_protocol', 'SERVER_NAME $server_name', 'SERVER_PORT $server_port', 'REMOTE_ADDR $remote_addr', 'SCRIPT_NAME $uri', `SCRIPT_FILENAME ${script}`]
      .map((p) => `fastcgi_param ${p};`)
      .join(' ');
  const upstreamKeepalive = Number(/keepalive (\d+);/.exec(readFileSync(join(porticoDist, 'nginx-upstream.conf'), 'utf8'))![1]);
  const nginx = await startNginx(work, {
    http: [
      `include ${porticoDist}/nginx-upstream.conf;`,
      ...(bufferedDist ? [`include ${bufferedDist}/nginx-upstream.conf;`] : []),
      // Every upstream keeps as many idle connections as the generated nginx-upstream.conf, so
      // that no contender reconnects more than another.
      `upstream raw_up { server 127.0.0.1:${rawPort}; keepalive ${upstreamKeepalive}; }`,
      `upstream php_up { server unix:${work}/php.sock; keepalive ${upstreamKeepalive}; }`,
    ].join('\n'),
    server: [
      `include ${porticoDist}/nginx.conf;`,
      ...(bufferedDist ? [readFileSync(join(bufferedDist, 'nginx.conf'), 'utf8').replace('fastcgi_request_buffering off;', 'fastcgi_request_buffering on;')] : []),
      'location = /proxy { proxy_pass http://raw_up; proxy_http_version 1.1; proxy_set_header Connection ""; }',
      `location = /php { fastcgi_pass php_up; fastcgi_keep_conn on; ${fcgiParams(join(here, 'servers/hello.php'))} }`,
      `location = /node-fastcgi { fastcgi_pass unix:${work}/node-fastcgi.sock; ${fcgiParams('/dev/null')} }`,
    ].join('\n'),
  });
  peers.push(nginx);
  if (LOAD_CPU !== undefined) pin(nginx.pid, LOAD_CPU);

  const contenders = [
    { id: 'portico', label: 'nginx → portico FastCGI (unix, keep-conn)', path: '/portico', pid: portico.pid! },
    { id: 'http-proxy', label: 'nginx → proxy_pass → raw node:http', path: '/proxy', pid: raw.pid! },
    { id: 'php-fpm', label: 'nginx → php-fpm 8.2 (PHP hello)', path: '/php', pid: php.pid! },
    { id: 'node-fastcgi', label: 'nginx → node-fastcgi', path: '/node-fastcgi', pid: nodeFcgi.pid! },
    ...(buffered ? [{ id: 'portico-buffered', label: 'nginx → portico FastCGI, fastcgi_request_buffering on', path: '/buffered', pid: buffered.pid! }] : []),
  ];
  const body = payloadJson();
  for (const c of contenders) {
    const get = await fetch(nginx.baseUrl + c.path);
    const post = await fetch(nginx.baseUrl + c.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const [g, p] = [await get.text(), await post.text()];
    if (g !== 'Hello, World!' || JSON.stringify(JSON.parse(p)) !== JSON.stringify(JSON.parse(body))) {
      throw new Error(`${c.id} answered wrongly: GET ${get.status} ${g.slice(0, 80)} / POST ${post.status} ${p.slice(0, 80)}\n${nginx.logs()}\n${portico.stderrTail()}`);
    }
  }

  const workloads = [{ id: 'GET' as const }, { id: 'POST' as const, body, contentType: 'application/json' }];
  const rps: Record<string, Record<string, number[]>> = {};
  const vsProxy: Record<string, Record<string, number[]>> = {};
  const vsPhp: Record<string, Record<string, number[]>> = {};
  // CPU µs per request of nginx (its workers) and of the backend: which side limits a
  // contender, and a figure that moves less than req/s when the machine is shared.
  const cpu: Record<string, Record<string, { nginx: number[]; backend: number[] }>> = {};
  for (const w of workloads) for (const c of contenders) await runLoad('wrk', { url: nginx.baseUrl + c.path, method: w.id, body: w.body, contentType: w.contentType, seconds: 2, connections: 50, cpu: LOAD_CPU }, work);
  for (let round = 0; round < rounds; round++) {
    for (const w of workloads) {
      const got: Record<string, number> = {};
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
      for (const c of order) {
        const before = [familyCpu(nginx.pid), familyCpu(c.pid)];
        const r = await runLoad('wrk', { url: nginx.baseUrl + c.path, method: w.id, body: w.body, contentType: w.contentType, seconds, connections: 50, cpu: LOAD_CPU }, work);
        const count = r.rps * seconds;
        const used = ((cpu[c.id] ??= {})[w.id] ??= { nginx: [], backend: [] });
        used.nginx.push(((familyCpu(nginx.pid) - before[0]!) / count) * 1e6);
        used.backend.push(((familyCpu(c.pid) - before[1]!) / count) * 1e6);
        if (r.non2xx || r.errors) console.error(`note: ${c.id} ${w.id} round ${round + 1}: ${r.non2xx} non-2xx, ${r.errors} socket errors`);
        got[c.id] = r.rps;
      }
      for (const c of contenders) {
        ((rps[c.id] ??= {})[w.id] ??= []).push(got[c.id]!);
        ((vsProxy[c.id] ??= {})[w.id] ??= []).push(got[c.id]! / got['http-proxy']!);
        ((vsPhp[c.id] ??= {})[w.id] ??= []).push(got[c.id]! / got['php-fpm']!);
      }
    }
  }
  console.log(`\n## FastCGI behind nginx (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${rounds} rounds × ${seconds} s, wrk -c50; ${LOAD_CPU === undefined ? 'nothing pinned' : 'nginx + wrk on core 0, backends on core 1'})\n`);
  console.log(
    markdownTable(
      ['contender', 'GET req/s', 'GET vs proxy', 'GET vs php-fpm', 'POST 4 KB req/s', 'POST vs proxy', 'POST vs php-fpm'],
      contenders.map((c) => [
        c.label,
        formatInt(median(rps[c.id]!.GET!)),
        formatRatio(median(vsProxy[c.id]!.GET!)),
        formatRatio(median(vsPhp[c.id]!.GET!)),
        formatInt(median(rps[c.id]!.POST!)),
        formatRatio(median(vsProxy[c.id]!.POST!)),
        formatRatio(median(vsPhp[c.id]!.POST!)),
      ]),
    ),
  );
  console.log('\nCPU µs per request (median), nginx worker + backend process(es):\n');
  console.log(
    markdownTable(
      ['contender', 'GET nginx', 'GET backend', 'POST nginx', 'POST backend'],
      contenders.map((c) => [c.label, ...(['GET', 'POST'] as const).flatMap((w) => [median(cpu[c.id]![w]!.nginx).toFixed(0), median(cpu[c.id]![w]!.backend).toFixed(0)])]),
    ),
  );
  await nginx.stop();
  peers.length = 0;

  if (!flags['no-cgi']) await benchCgi();
} finally {
  await cleanup();
}

/** CGI through Apache mod_cgi: the portico cgi bundle against a bare `node -e` hello script. */
async function benchCgi(): Promise<void> {
  const node = shareableNode(work);
  const cgiDist = bundle('cgi', { shebang: `#!${node}` }, '/app');
  const bare = join(work, 'bare.cgi');
  writeFileSync(bare, `#!/bin/sh\nexec ${node} -e 'process.stdout.write("Content-Type: text/plain\\r\\n\\r\\nHello, World!")'\n`);
  chmodSync(bare, 0o755);
  const apache = await startApache(work, ['cgi', 'rewrite', 'alias', 'dir'], [`Include ${cgiDist}/apache.conf`, `ScriptAlias /bare ${bare}`, `<Directory "${work}">\n    Require all granted\n</Directory>`].join('\n'));
  peers.push(apache);
  const requests = Number(flags['cgi-requests']);
  const times: Record<string, number[]> = { portico: [], bare: [] };
  const once = async (path: string): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(apache.baseUrl + path);
    if ((await res.text()) !== 'Hello, World!') throw new Error(`${path}: ${res.status}\n${apache.logs()}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) await Promise.all([once('/app'), once('/bare')]);
  for (let i = 0; i < requests; i++) {
    for (const [id, path] of i % 2 ? [['portico', '/app'], ['bare', '/bare']] : [['bare', '/bare'], ['portico', '/app']]) times[id!]!.push(await once(path!));
  }
  const p = median(times.portico!);
  const b = median(times.bare!);
  console.log(`\n## CGI through Apache mod_cgi (${requests} sequential GETs each, interleaved; ${readFileSync(join(cgiDist, 'app.cgi')).length} B app.cgi)\n`);
  console.log(
    markdownTable(
      ['script', 'median ms', 'vs bare'],
      [
        ['bare `node -e` hello', b.toFixed(1), '1.00×'],
        ['portico cgi bundle (bench app)', p.toFixed(1), formatRatio(p / b)],
      ],
    ),
  );
}
