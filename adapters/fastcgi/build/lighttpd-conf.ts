/**
 * lighttpd config (`lighttpd.conf`) for a FastCGI, SCGI or CGI app, included from the main
 * lighttpd.conf. Every request under the mount goes to the app (lighttpd has no "serve the
 * file if it exists, else the app" for an aliased folder; the app's own static serving, or
 * nginx/Apache, handle public/).
 *
 * Build time only.
 */
import { mountRegex, type SnippetInput } from './snippet-input.ts';

/** A lighttpd string literal. */
const q = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * @example
 * lighttpdConfig(input); // 'server.modules += ("mod_fastcgi")\n$HTTP["url"] =~ "^/shop(/|$)" { ... }'
 */
export function lighttpdConfig(input: SnippetInput): string {
  const mount = input.basePath === '' ? '/' : input.basePath;
  const module = input.transport === 'cgi' ? 'mod_cgi' : `mod_${input.transport}`;
  const lines = [
    `# portico ${input.transport} app "${input.name}" mounted at ${mount}: include it from lighttpd.conf,`,
    `# e.g.  include ${q(`${input.dir}/lighttpd.conf`)}`,
    `server.modules += (${q(module)}${input.transport === 'cgi' ? ', "mod_alias"' : ''})`,
    `$HTTP["url"] =~ ${q(mountRegex(input.basePath))} {`,
    // Request and response bodies stream through (2: with backpressure, nothing buffered whole).
    '    server.stream-request-body = 2',
    '    server.stream-response-body = 2',
  ];
  if (input.transport === 'cgi') {
    // The mount maps onto the script; what follows it in the URL becomes PATH_INFO.
    lines.push(`    alias.url = (${q(mount)} => ${q(input.script)})`, '    cgi.assign = (".cgi" => "")');
  } else {
    const a = input.address!;
    const where = 'socket' in a ? [`"socket" => ${q(a.socket)}`] : [`"host" => ${q(a.host)}`, `"port" => ${a.port}`];
    lines.push(
      `    ${input.transport}.server = (${q(mount)} => ((`,
      ...where.map((w) => `        ${w},`),
      // Uncommented, lighttpd starts the app itself, handing it the listening socket on fd 0.
      ...('socket' in a ? [`        # "bin-path" => ${q(`/usr/bin/env node ${input.script}`)}, "max-procs" => 1,`] : []),
      // No file under document-root to check: the app answers every path of the mount.
      '        "check-local" => "disable",',
      ...(input.basePath === '' ? ['        "fix-root-scriptname" => "enable",'] : []),
      '    )))',
    );
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
