/**
 * Real web servers for the classic gateways' tests: nginx, Apache httpd and lighttpd, each run
 * in the foreground from a config written into the test's own temp folder, on 127.0.0.1 and a
 * free port, stopped by pid. Their logs stay readable for failure messages.
 *
 * A missing binary fails with the Debian package to install (.ci/apt-packages lists them); these
 * tests never skip for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, linkSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running web server. */
export interface RunningPeer {
  /** 'nginx', 'apache2' or 'lighttpd'. */
  name: string;
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  port: number;
  pid: number;
  /** Its stdout, stderr and error log so far. */
  logs(): string;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Where Debian puts Apache's modules. */
export const APACHE_MODULES = '/usr/lib/apache2/modules';

/**
 * Throw, naming the Debian package, unless `path` exists.
 *
 * @example
 * requireBinary('/usr/sbin/nginx', 'nginx');
 */
export function requireBinary(path: string, debianPackage: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: install the Debian package "${debianPackage}" (apt-get install -y ${debianPackage}; .ci/apt-packages lists it)`);
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago.
 *
 * @example
 * const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolve once something accepts TCP connections on 127.0.0.1:port. */
async function untilAccepting(port: number, child: ChildProcess, what: string, logs: () => string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) while starting:\n${logs()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`${what} did not accept connections on 127.0.0.1:${port} within ${ms / 1000} s:\n${logs()}`);
    await sleep(20);
  }
}

/** Spawn a server in the foreground; its output and `logFile` make up `logs()`. */
async function run(name: string, command: string, args: string[], port: number, logFile: string): Promise<RunningPeer> {
  // Its own process group: Apache's prefork MPM signals its whole group (killpg) on shutdown,
  // which would otherwise take the test process with it.
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logs = (): string => out + (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await untilAccepting(port, child, name, logs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, baseUrl: `http://127.0.0.1:${port}`, port, pid: child.pid!, logs, stop };
}

/**
 * nginx (as root, one worker) with `http` included at http level and `server` inside the one
 * server block. A request no location of `server` takes gets nginx's 404.
 *
 * @example
 * const peer = await startNginx(dir, { http: `include ${dist}/nginx-upstream.conf;`, server: `include ${dist}/nginx.conf;` });
 */
export async function startNginx(dir: string, config: { http?: string; server: string }): Promise<RunningPeer> {
  requireBinary('/usr/sbin/nginx', 'nginx');
  const port = await freePort();
  const root = join(dir, 'nginx');
  mkdirSync(join(root, 'html'), { recursive: true });
  const conf = join(root, 'nginx.conf');
  const t = (name: string): string => `${name}_temp_path ${join(root, name)};`;
  writeFileSync(
    conf,
    [
      'daemon off;',
      'user root;',
      'worker_processes 1;',
      `pid ${join(root, 'nginx.pid')};`,
      `error_log ${join(root, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      '    access_log off;',
      '    default_type application/octet-stream;',
      '    types { text/plain txt; text/html html; text/css css; application/javascript js; }',
      `    ${t('client_body')} ${t('proxy')} ${t('fastcgi')} ${t('scgi')} ${t('uwsgi')}`,
      config.http ?? '',
      '    server {',
      `        listen 127.0.0.1:${port};`,
      '        server_name localhost;',
      `        root ${join(root, 'html')};`,
      config.server,
      '    }',
      '}',
      '',
    ].join('\n'),
  );
  return run('nginx', '/usr/sbin/nginx', ['-p', root, '-c', conf, '-e', join(root, 'error.log')], port, join(root, 'error.log'));
}

/**
 * Apache httpd in the foreground with only `modules` loaded (by LoadModule from
 * /usr/lib/apache2/modules; mpm_event, or mpm_prefork when 'cgi' is among them), workers as
 * www-data (Apache refuses to serve as root), and `config` appended.
 *
 * @example
 * const peer = await startApache(dir, ['proxy', 'proxy_fcgi', 'alias', 'dir'], `Include ${dist}/apache.conf`);
 */
export async function startApache(dir: string, modules: string[], config: string): Promise<RunningPeer> {
  requireBinary('/usr/sbin/apache2', 'apache2');
  const port = await freePort();
  const root = join(dir, 'apache');
  mkdirSync(join(root, 'htdocs'), { recursive: true });
  const conf = join(root, 'httpd.conf');
  const mpm = modules.includes('cgi') ? 'mpm_prefork' : 'mpm_event';
  const all = [mpm, 'authz_core', 'mime', ...modules.filter((m) => m !== 'authz_core' && m !== 'mime')];
  for (const m of all) requireBinary(join(APACHE_MODULES, `mod_${m}.so`), 'apache2');
  writeFileSync(
    conf,
    [
      `ServerRoot "${root}"`,
      `Listen 127.0.0.1:${port}`,
      'ServerName 127.0.0.1',
      `PidFile "${join(root, 'httpd.pid')}"`,
      `ErrorLog "${join(root, 'error.log')}"`,
      'LogLevel warn',
      `Mutex file:${root} default`,
      'User www-data',
      'Group www-data',
      ...all.map((m) => `LoadModule ${m}_module ${join(APACHE_MODULES, `mod_${m}.so`)}`),
      'TypesConfig /etc/mime.types',
      mpm === 'mpm_prefork'
        ? 'StartServers 2\nMinSpareServers 2\nMaxSpareServers 8\nMaxRequestWorkers 64'
        : 'StartServers 1\nServerLimit 2\nThreadsPerChild 32\nMaxRequestWorkers 64',
      `DocumentRoot "${join(root, 'htdocs')}"`,
      '<Directory />',
      '    Require all denied',
      '</Directory>',
      // An empty document root: a request outside the app's mount is Apache's own 404.
      `<Directory "${join(root, 'htdocs')}">`,
      '    Require all granted',
      '</Directory>',
      config,
      '',
    ].join('\n'),
  );
  return run('apache2', '/usr/sbin/apache2', ['-f', conf, '-DFOREGROUND'], port, join(root, 'error.log'));
}

/**
 * lighttpd in the foreground (as root) with `config` appended to a minimal server config.
 *
 * @example
 * const peer = await startLighttpd(dir, `include "${dist}/lighttpd.conf"`);
 */
export async function startLighttpd(dir: string, config: string): Promise<RunningPeer> {
  requireBinary('/usr/sbin/lighttpd', 'lighttpd');
  const port = await freePort();
  const root = join(dir, 'lighttpd');
  mkdirSync(root, { recursive: true });
  const conf = join(root, 'lighttpd.conf');
  writeFileSync(
    conf,
    [
      // A document root that does not exist: a request outside the app's mount is lighttpd's own 404.
      `server.document-root = "${join(root, 'htdocs')}"`,
      'server.bind = "127.0.0.1"',
      `server.port = ${port}`,
      `server.errorlog = "${join(root, 'error.log')}"`,
      'server.max-request-size = 0',
      'mimetype.assign = (".txt" => "text/plain", ".html" => "text/html")',
      config,
      '',
    ].join('\n'),
  );
  return run('lighttpd', '/usr/sbin/lighttpd', ['-D', '-f', conf, '-m', '/usr/lib/lighttpd'], port, join(root, 'error.log'));
}

/**
 * A path to the running Node that the web server's unprivileged user (www-data) can execute:
 * a hard link (else a copy) of process.execPath inside `dir`, since /root, where CI's Node
 * lives, is closed to other users.
 *
 * @example
 * const node = shareableNode(dir); // '/tmp/portico-cgi-x/bin/node'
 */
export function shareableNode(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const path = join(bin, 'node');
  if (!existsSync(path)) {
    try {
      linkSync(process.execPath, path);
    } catch {
      copyFileSync(process.execPath, path);
    }
  }
  return path;
}

/**
 * fcgiwrap (the FastCGI server that runs CGI scripts for nginx) on a unix socket in `dir`, in
 * the foreground; `stop()` ends it by pid.
 *
 * @example
 * const wrap = await startFcgiwrap(dir); // wrap.socket: '/tmp/x/fcgiwrap.sock'
 */
export async function startFcgiwrap(dir: string): Promise<{ socket: string; logs(): string; stop(): Promise<void> }> {
  requireBinary('/usr/sbin/fcgiwrap', 'fcgiwrap');
  const socket = join(dir, 'fcgiwrap.sock');
  // -f: the scripts' stderr (the app's console) comes back to nginx's error log, not lost.
  // -c 4: four workers. One (fcgiwrap's default, and Debian's fcgiwrap.service) runs one script
  // at a time, so a streamed response waiting on another request would wait forever.
  // Its workers outlive a SIGTERM to the parent, so it runs in a process group of its own
  // (detached) and stop() signals that group; 'close' comes once every member has let go of
  // the output pipes they share, that is once they are all gone.
  const child = spawn('/usr/sbin/fcgiwrap', ['-f', '-c', '4', '-s', `unix:${socket}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // the group is gone already
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }, 10_000);
      await closed;
      clearTimeout(timer);
    })());
  const end = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`fcgiwrap did not listen on ${socket}:\n${out}`);
    }
    await sleep(20);
  }
  return { socket, logs: () => out, stop };
}

/**
 * nginx in front of fcgiwrap, the way the cgi target's nginx.conf expects: fcgiwrap started on
 * `dir/fcgiwrap.sock` (the bundle's `cgi.fcgiwrapSocket`), then nginx with `config`; logs are
 * both (the script's stderr comes through fcgiwrap), stop ends nginx, then fcgiwrap.
 *
 * @example
 * const peer = await startNginxFcgiwrap(app.dir, { server: `include ${app.dist}/nginx.conf;` });
 */
export async function startNginxFcgiwrap(dir: string, config: { http?: string; server: string }): Promise<RunningPeer> {
  const wrap = await startFcgiwrap(dir);
  try {
    const peer = await startNginx(dir, config);
    // nginx logs what a script wrote to stderr as `FastCGI sent in stderr: "<text>" while reading
    // ...`: the trailer is cut so that each line the script wrote ends as it did.
    const logs = (): string => `${peer.logs().replace(/" while (reading|sending)[^\n]*/g, '')}\n--- fcgiwrap ---\n${wrap.logs()}`;
    return { ...peer, logs, stop: () => peer.stop().then(wrap.stop) };
  } catch (error) {
    await wrap.stop();
    throw error;
  }
}
