/**
 * lighttpd config (`lighttpd.conf`) for a FastCGI, SCGI or CGI app, included from the main
 * lighttpd.conf. Like the nginx and Apache files, it lets lighttpd serve files under public/
 * itself and hands every other request under the mount to the app.
 *
 * lighttpd 1.4 has no "this file, else the app" for a path: a FastCGI/SCGI prefix claims the
 * request before any file is looked up, and there is no condition on a file's existence. So a
 * request under the mount first maps onto public/ (mod_alias); when that names no regular file,
 * `url.rewrite-if-not-file` sends it round again with a marker appended to its query, and the
 * marked request is the app's. Only the query changes: REQUEST_URI stays the one the client sent
 * (lighttpd passes the original target; the gateway reads the path and query from it), and
 * SCRIPT_NAME / PATH_INFO are those of an unrewritten request. The marker shows in the app's
 * QUERY_STRING param (and REDIRECT_URI) only.
 *
 * Build time only.
 */
import { escapeRegex, indent, mountRegex, type SnippetInput, startCommand } from './snippet-input.ts';

/** A lighttpd string literal. */
const q = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/** Appended to the query of a request public/ has no file for; the app's requests carry it. */
export const APP_MARKER = 'portico-app';


/** The directives that hand a request to the app. */
function appDirectives(input: SnippetInput, mount: string): string[] {
  if (input.transport === 'cgi') {
    // The mount maps onto the script; what follows it in the URL becomes PATH_INFO. At the
    // root the script takes the slash ("/" => "app.cgi" would map /cart onto "app.cgicart").
    const script = input.basePath === '' ? `${input.script}/` : input.script;
    return [`alias.url = (${q(mount)} => ${q(script)})`, 'cgi.assign = (".cgi" => "")'];
  }
  const a = input.address;
  const where = 'socket' in a ? [`"socket" => ${q(a.socket)}`] : [`"host" => ${q(a.host)}`, `"port" => ${a.port}`];
  return [
    `${input.transport}.server = (${q(mount)} => ((`,
    ...where.map((w) => `    ${w},`),
    // Uncommented, lighttpd starts the app itself, handing it the listening socket on fd 0.
    ...('socket' in a ? [`    # "bin-path" => ${q(startCommand(input))}, "max-procs" => 1,`] : []),
    // No file under document-root to check: the app answers every path of the mount.
    '    "check-local" => "disable",',
    ...(input.basePath === '' ? ['    "fix-root-scriptname" => "enable",'] : []),
    ')))',
  ];
}

/**
 * public/ first: the mount maps onto the folder, and a request naming no regular file there
 * (a route, a folder, a missing file) comes back with the marker at the end of its query.
 */
function publicDirectives(input: SnippetInput, mount: string): string[] {
  const folder = input.publicDir! + (input.basePath === '' ? '/' : '');
  // "repeat": a rewritten request is matched again, so `folder/` first tries folder/index.html
  // and, when that is no file either, goes on to the app (whose REQUEST_URI stays `folder/`).
  const mountIndex = input.basePath === '' ? [] : [`    ${q(`^(${escapeRegex(input.basePath)})([?].*)?$`)} => "$1/index.html$2",`];
  return [
    `alias.url = (${q(mount)} => ${q(folder)})`,
    'url.rewrite-repeat-if-not-file = (',
    ...mountIndex,
    '    "^([^?]*/)([?].*)?$" => "$1index.html$2",',
    `    "^([^?]*)$" => "$1?${APP_MARKER}",`,
    `    "^([^?]*)[?](.*)$" => "$1?$2&${APP_MARKER}",`,
    ')',
  ];
}

/**
 * @example
 * lighttpdConfig(input); // 'server.modules += ("mod_fastcgi")\n$HTTP["url"] =~ "^/shop(/|$)" { ... }'
 */
export function lighttpdConfig(input: SnippetInput): string {
  const mount = input.basePath === '' ? '/' : input.basePath;
  const modules = [input.transport === 'cgi' ? 'mod_cgi' : `mod_${input.transport}`];
  if (input.transport === 'cgi' || input.publicDir) modules.unshift('mod_alias');
  // mod_rewrite after mod_alias: its file check reads the path mod_alias maps (a config that
  // loaded mod_rewrite earlier sends every request to the app; Debian's loads mod_alias first).
  if (input.publicDir) modules.push('mod_rewrite');
  const lines = [
    `# portico ${input.transport} app "${input.name}" mounted at ${mount}: include it from lighttpd.conf,`,
    `# e.g.  include ${q(`${input.dir}/lighttpd.conf`)}`,
    ...(input.publicDir
      ? [
          `# Files in ${input.publicDir} are served by lighttpd; every other request under ${mount} goes to the app,`,
          `# with "${APP_MARKER}" appended to its QUERY_STRING (REQUEST_URI is as the client sent it).`,
        ]
      : []),
    `server.modules += (${modules.map(q).join(', ')})`,
    `$HTTP["url"] =~ ${q(mountRegex(input.basePath))} {`,
    // Request and response bodies stream through (2: with backpressure, nothing buffered whole).
    '    server.stream-request-body = 2',
    '    server.stream-response-body = 2',
  ];
  const app = appDirectives(input, mount);
  if (input.publicDir) {
    lines.push(
      `    $HTTP["querystring"] =~ "(^|&)${APP_MARKER}$" {`,
      ...indent(app, '        '),
      '    } else {',
      ...indent(publicDirectives(input, mount), '        '),
      '    }',
    );
  } else {
    lines.push(...indent(app));
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
