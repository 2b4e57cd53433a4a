/**
 * nginx config for a FastCGI or SCGI app: `nginx.conf` (locations, included inside a
 * `server { }` block) and, for FastCGI, `nginx-upstream.conf` (the upstream with its kept-alive
 * connections, included at `http { }` level: an upstream cannot live inside a server).
 *
 * nginx serves files under public/ itself and passes every other request under the mount on,
 * with the parameters the gateway reads set here rather than taken from a distribution's
 * fastcgi_params, so the files work on any nginx.
 *
 * Build time only.
 */
import { addressText, escapeRegex, identifier, indent, type SnippetInput } from './snippet-input.ts';

/** The parameters of every request, for `fastcgi_param` or `scgi_param`. */
function params(directive: string, basePath: string): string[] {
  const p = (name: string, value: string, extra = ''): string => `${directive} ${name} ${value}${extra};`;
  return [
    p('GATEWAY_INTERFACE', 'CGI/1.1'),
    p('SERVER_SOFTWARE', 'nginx/$nginx_version'),
    p('SERVER_PROTOCOL', '$server_protocol'),
    p('REQUEST_METHOD', '$request_method'),
    // The path and query as the client sent them: the gateway keeps %2F and '+' intact.
    p('REQUEST_URI', '$request_uri'),
    p('QUERY_STRING', '$query_string'),
    p('SCRIPT_NAME', basePath === '' ? '""' : `"${basePath}"`),
    p('CONTENT_TYPE', '$content_type'),
    p('CONTENT_LENGTH', '$content_length'),
    p('REQUEST_SCHEME', '$scheme'),
    p('HTTPS', '$https', ' if_not_empty'),
    p('SERVER_NAME', '$server_name'),
    p('SERVER_ADDR', '$server_addr'),
    p('SERVER_PORT', '$server_port'),
    p('REMOTE_ADDR', '$remote_addr'),
    p('REMOTE_PORT', '$remote_port'),
    // httpoxy: a "Proxy:" request header must never become HTTP_PROXY (the gateway drops it too).
    p('HTTP_PROXY', '""'),
  ];
}

/**
 * Unbuffered, nginx moves a response through one buffer of `*_buffer_size` (a 4 KiB page by
 * default): a response that does not fit takes a read and a client write per buffer, and
 * the app's socket write waits in between. 16 KiB carries most API answers whole; a 4 KB
 * JSON answer cost nginx and the gateway about a third more CPU with the default (bench/classic.ts).
 * busy_buffers_size must lie between that size and the other buffers' total, so it is set too.
 */
function unbufferedSize(d: 'fastcgi' | 'scgi'): string[] {
  return [`${d}_buffer_size 16k;`, `${d}_busy_buffers_size 16k;`];
}

/** The directives that hand a request to the app, one per line. */
function passDirectives(input: SnippetInput, upstream: string): string[] {
  if (input.transport === 'cgi') {
    // nginx runs no CGI: fcgiwrap (a FastCGI server) runs app.cgi per request with these params
    // as its environment. It reads the body by CONTENT_LENGTH, so nginx buffers uploads.
    return [
      `fastcgi_pass ${addressText(input.address)};`,
      'client_max_body_size 0;',
      'fastcgi_buffering off;',
      ...unbufferedSize('fastcgi'),
      `fastcgi_param SCRIPT_FILENAME ${input.script};`,
      ...params('fastcgi_param', input.basePath),
    ];
  }
  const fastcgi = input.transport === 'fastcgi';
  const d = fastcgi ? 'fastcgi' : 'scgi';
  return [
    fastcgi ? `fastcgi_pass ${upstream};` : `scgi_pass ${addressText(input.address)};`,
    ...(fastcgi ? ['fastcgi_keep_conn on;'] : []),
    // Uploads stream to the app as they arrive (the gateway enforces its own body limit) and
    // responses stream to the client with backpressure, as on the node gateway.
    'client_max_body_size 0;',
    `${d}_request_buffering off;`,
    `${d}_buffering off;`,
    ...unbufferedSize(d),
    ...params(`${d}_param`, input.basePath),
  ];
}


/**
 * The locations that serve `public/` as the node gateway's static core does (adapters/_static):
 * a file as itself, a folder's `index.html` at `folder/` and at the mount itself, a 301 from
 * `folder` to `folder/` when it has an index (so its relative links resolve); everything else
 * goes to the app. The 301 is a `rewrite`, which escapes the path, inside an `if` that holds
 * nothing else (the one use of `if` nginx documents as safe); a folder URI has a location of its
 * own so that the `if` never sees one (`folder/` + `/index.html` exists too, and would loop).
 * At the root the folder location is nested in `location /`, so a longer prefix location of the
 * user's (`location /admin/`) still wins over it.
 */
function publicLocations(input: SnippetInput, regex: string | undefined, upstream: string): string[] {
  const root = `    root ${input.publicDir};`;
  const common = [root, '    client_max_body_size 0;'];
  const redirect = (path: string) => [
    // Relative, as the node gateway sends it: right behind another proxy too.
    '    absolute_redirect off;',
    `    if (-f $document_root${path}/index.html) {`,
    '        rewrite ^ $uri/ permanent;',
    '    }',
  ];
  if (regex === undefined) {
    return [
      'location / {',
      ...common,
      '    location ~ "/$" {',
      `        try_files \${uri}index.html @${upstream};`,
      '    }',
      ...redirect('$uri'),
      `    try_files $uri @${upstream};`,
      '}',
    ];
  }
  const folder = regex.replace('(?<portico_path>/.*)?$"', '(?<portico_path>/(?:.*/)?)$"');
  return [
    `location = "${input.basePath.replace(/["\\]/g, "\\$&")}" {`,
    ...common,
    `    try_files /index.html @${upstream};`,
    '}',
    `location ~ ${folder} {`,
    ...common,
    `    try_files \${portico_path}index.html @${upstream};`,
    '}',
    `location ~ ${regex} {`,
    ...common,
    ...redirect('$portico_path'),
    `    try_files $portico_path @${upstream};`,
    '}',
  ];
}

/**
 * The files nginx needs, by name: `nginx.conf` always, `nginx-upstream.conf` for FastCGI.
 *
 * @example
 * nginxConfig(input)['nginx.conf']; // 'location ~ "^/shop(?<portico_path>/.*)?$" { ... }'
 */
export function nginxConfig(input: SnippetInput): Record<string, string> {
  const id = identifier(input.name);
  const upstream = `portico_${id}`;
  const mount = input.basePath === '' ? '/' : input.basePath;
  const head = [
    `# portico ${input.transport} app "${input.name}" mounted at ${mount}: include this file inside a server { } block`,
    ...(input.transport === 'fastcgi' ? [`# (and nginx-upstream.conf at http { } level), e.g.  include ${input.dir}/nginx.conf;`] : [`# e.g.  include ${input.dir}/nginx.conf;`]),
    ...(input.transport === 'cgi' ? [`# nginx runs no CGI: fcgiwrap must listen on ${addressText(input.address)} (Debian: apt install fcgiwrap).`] : []),
    ...(input.publicDir ? [`# Files in ${input.publicDir} are served by nginx (a folder's index.html at folder/); every other request under ${mount} goes to the app.`] : []),
  ];
  const pass = passDirectives(input, upstream);
  const lines = [...head];
  // A regex location with a named capture: the path below the mount, for try_files. A prefix
  // location would also match /shopx; at the root a plain "location /" is the mount. (PCRE
  // caps capture names at 32 characters, so the name is fixed; only one location matches.)
  const regex = input.basePath === '' ? undefined : `"^${escapeRegex(input.basePath).replaceAll('"', '\\"')}(?<portico_path>/.*)?$"`;
  const open = regex ? `location ~ ${regex} {` : 'location / {';
  if (input.publicDir) {
    lines.push(...publicLocations(input, regex, upstream));
    lines.push(`location @${upstream} {`, ...indent(pass), '}');
  } else {
    lines.push(open, ...indent(pass), '}');
  }
  const files: Record<string, string> = { 'nginx.conf': lines.join('\n') + '\n' };
  if (input.transport === 'fastcgi') {
    // keepalive is the idle connections each nginx worker keeps. Under load nginx holds one
    // upstream connection per request in flight; past the cache it connects and closes per
    // request, which cost the gateway about 40 µs a 4 KB POST with 16 and 50 clients (bench/classic.ts).
    // portico serves any number of connections, so keep more than a worker has in flight.
    files['nginx-upstream.conf'] = [
      `# portico fastcgi app "${input.name}": include this file at http { } level (e.g. from /etc/nginx/conf.d/),`,
      `# and ${input.dir}/nginx.conf inside a server { } block. Kept-alive connections carry many requests each.`,
      `upstream ${upstream} {`,
      `    server ${addressText(input.address)};`,
      '    keepalive 64;',
      '}',
      '',
    ].join('\n');
  }
  return files;
}
