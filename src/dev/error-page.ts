/**
 * What the dev server answers while the latest build is broken: an HTML page with esbuild's
 * messages for a browser, plain text for curl and fetch. The page polls the dev server and
 * reloads itself once a build succeeds, so fixing the file is all it takes.
 */

/** The path the error page polls; answered by the dev server, never by the app. */
export const DEV_STATUS_PATH = '/__portico/dev/status';

const ANSI = /\u001b\[[0-9;]*m/g;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * @example
 * res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
 * res.end(errorPage('Build failed', details, 7));
 */
export function errorPage(title: string, details: string, version: number): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)} · portico dev</title>
<style>
body{font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;margin:0;background:#1e1e1e;color:#eee}
header{background:#b3261e;color:#fff;padding:12px 20px;font-weight:bold}
pre{padding:16px 20px;white-space:pre-wrap;word-break:break-word;margin:0}
p{padding:0 20px;color:#aaa}
</style></head>
<body><header>${escapeHtml(title)}</header>
<pre>${escapeHtml(details.replace(ANSI, ''))}</pre>
<p>The last change did not build, so nothing older is served either. Fix the file: this page reloads by itself.</p>
<script>
(function poll(){fetch(${JSON.stringify(DEV_STATUS_PATH)}).then(function(r){return r.json()}).then(function(s){
if(s.ok&&s.version!==${version})location.reload();else setTimeout(poll,300)},function(){setTimeout(poll,1000)})})();
</script></body></html>
`;
}

/** The same error for a client that did not ask for HTML. */
export function errorText(title: string, details: string): string {
  return `${title}\n\n${details.replace(ANSI, '')}`;
}
