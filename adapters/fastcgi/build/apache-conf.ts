/**
 * Apache httpd config (`apache.conf`) for a FastCGI, SCGI or CGI app, included in the server
 * config or inside a `<VirtualHost>`. Apache serves files under public/ itself and hands every
 * other request under the mount to the app: through mod_proxy_fcgi / mod_proxy_scgi (a `proxy:`
 * handler, as php-fpm is wired) or through mod_cgi (a mod_rewrite rule onto app.cgi).
 *
 * Build time only.
 */
import { hostPort, mountRegex, type SnippetInput } from './snippet-input.ts';

const MODULES: Record<SnippetInput['transport'], string> = {
  fastcgi: 'proxy proxy_fcgi alias dir',
  scgi: 'proxy proxy_scgi alias dir',
  cgi: 'cgi (or cgid) rewrite alias dir',
};

/** The `proxy:` handler URL: `proxy:unix:/run/x.sock|fcgi://localhost` or `proxy:fcgi://127.0.0.1:9000`. */
function proxyHandler(input: SnippetInput): string {
  const scheme = input.transport === 'scgi' ? 'scgi' : 'fcgi';
  const a = input.address;
  return 'socket' in a ? `proxy:unix:${a.socket}|${scheme}://localhost` : `proxy:${scheme}://${hostPort(a)}`;
}

/**
 * @example
 * apacheConfig(input); // '# portico fastcgi app "shop" ...\nAllowEncodedSlashes NoDecode\n...'
 */
export function apacheConfig(input: SnippetInput): string {
  const mount = input.basePath === '' ? '/' : input.basePath;
  const lines = [
    `# portico ${input.transport} app "${input.name}" mounted at ${mount}: include this file in the server config`,
    `# or inside a <VirtualHost>, e.g.  Include ${input.dir}/apache.conf`,
    `# Modules it needs (Debian: a2enmod ${MODULES[input.transport]}).`,
    ...(input.publicDir ? [`# Files in ${input.publicDir} are served by Apache (a folder's index.html at folder/); every other request under ${mount} goes to the app.`] : []),
    '',
    // %2F in a path is the app's to read (its routes may hold encoded slashes); by default
    // Apache answers such a request 404 itself.
    'AllowEncodedSlashes NoDecode',
  ];
  if (input.transport === 'cgi') {
    lines.push(...cgiRules(input));
  } else {
    const handler = `    SetHandler "${proxyHandler(input)}"`;
    // The worker the handler uses, set to pass each chunk of a streamed response on at once
    // (by default mod_proxy holds the app's output until its buffer fills).
    lines.push(`<Proxy "${proxyHandler(input).slice('proxy:'.length)}">`, '    ProxySet flushpackets=on', '</Proxy>');
    if (input.publicDir) {
      lines.push(
        `Alias "${mount}" "${input.publicDir}${input.basePath === '' ? '/' : ''}"`,
        `<Directory "${input.publicDir}">`,
        '    Require all granted',
        '    Options -Indexes',
        '    DirectoryIndex index.html',
        '</Directory>',
        `<Location "${mount}">`,
        // The app answers for the mount whatever the folders under it say (Debian's <Directory /> denies all).
        '    Require all granted',
        // A file that exists is Apache's, and so is a folder with an index.html (mod_dir adds the
        // slash with a 301, then serves the index); anything else (routes, other folders) is the app's.
        '    <If "! -f %{REQUEST_FILENAME} && ! -f \'%{REQUEST_FILENAME}/index.html\'">',
        '    ' + handler,
        // mod_dir would otherwise answer a folder without its slash with a 301, app or not.
        '        DirectorySlash Off',
        '    </If>',
        '</Location>',
      );
    } else {
      lines.push(`<Location "${mount}">`, '    Require all granted', handler, '</Location>');
    }
  }
  return lines.join('\n') + '\n';
}

/** mod_cgi: a rewrite onto app.cgi (its path info is the path below the mount) unless a public file exists. */
function cgiRules(input: SnippetInput): string[] {
  const lines = ['RewriteEngine On'];
  if (input.publicDir) {
    lines.push(
      `Alias "${input.basePath === '' ? '/' : input.basePath}" "${input.publicDir}${input.basePath === '' ? '/' : ''}"`,
      `<Directory "${input.publicDir}">`,
      '    Require all granted',
      '    Options -Indexes',
      '    DirectoryIndex index.html',
      '</Directory>',
      `RewriteCond "${input.publicDir}$1" !-f`,
      // A folder with an index.html is Apache's too (mod_dir: a 301 to folder/, then the index).
      `RewriteCond "${input.publicDir}$1/index.html" !-f`,
    );
  }
  // $1: the path below the mount ('' for the mount itself). The target is a file path, so
  // Apache runs app.cgi with that path as PATH_INFO; H= makes it a CGI script wherever it lives.
  const pattern = input.basePath === '' ? '^(/.*)$' : `${mountRegex(input.basePath).replace('(/|$)', '')}(/.*)?$`;
  lines.push(
    `RewriteRule "${pattern}" "${input.script}$1" [H=cgi-script,L]`,
    `<Directory "${input.dir}">`,
    '    Require all granted',
    '    Options +ExecCGI',
    '</Directory>',
  );
  return lines;
}
