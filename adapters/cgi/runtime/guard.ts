/**
 * What a CGI script must make sure of before the app runs (DESIGN §6): stdout carries the
 * response and nothing else (lighttpd turns stray lines into response headers, Apache answers
 * 500), and a `Proxy:` request header, which arrives as the HTTP_PROXY variable, never steers
 * outgoing requests (httpoxy, CVE-2016-5385 and kin).
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { addParam } from '../../_cgi/meta.ts';

type Write = (chunk: string | Uint8Array, encoding?: BufferEncoding, callback?: (error?: Error | null) => void) => boolean;

let realWrite: Write | undefined;

/**
 * Send everything written to process.stdout (console.log, console.info, a library's own
 * writes) to stderr instead, and return the one function that still writes to stdout. Safe to
 * call more than once.
 *
 * @example
 * const writeOut = guardStdout();
 * console.log('debug');       // goes to stderr
 * writeOut('Status: 200\r\n'); // goes to stdout
 */
export function guardStdout(): Write {
  if (realWrite) return realWrite;
  const stdout = process.stdout;
  const stderr = process.stderr;
  realWrite = (Writable.prototype.write as Write).bind(stdout);
  (stdout as unknown as { write: Write }).write = (chunk, encoding, callback) => stderr.write(chunk as string, encoding as BufferEncoding, callback);
  return realWrite;
}

/**
 * The meta-variables exactly as the server set them, one char per byte. Node decodes
 * `process.env` as UTF-8, which turns a header's raw bytes into other text (and invalid UTF-8
 * into U+FFFD); Linux keeps the bytes in /proc/self/environ. Elsewhere, `process.env`
 * re-encoded, which is exact for valid UTF-8. A name set more than once is joined as the
 * FastCGI gateway joins a repeated param (`addParam`): fcgiwrap hands nginx's params on as the
 * environment unmerged, so three `X-Multi` headers are three HTTP_X_MULTI entries there.
 *
 * @example
 * cgiEnvironment().get('HTTP_X_NAME'); // 'caf\u00c3\u00a9' for the UTF-8 bytes of 'café'
 */
export function cgiEnvironment(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const params = new Map<string, string>();
  let raw: Buffer | undefined;
  try {
    raw = readFileSync('/proc/self/environ');
  } catch {
    raw = undefined;
  }
  if (raw !== undefined && raw.length > 0) {
    let at = 0;
    while (at < raw.length) {
      let end = raw.indexOf(0, at);
      if (end === -1) end = raw.length;
      const eq = raw.indexOf(61 /* = */, at);
      if (eq > at && eq < end) addParam(params, raw.toString('latin1', at, eq), raw.toString('latin1', eq + 1, end));
      at = end + 1;
    }
    return params;
  }
  for (const name of Object.keys(env)) {
    const value = env[name];
    if (value !== undefined) params.set(name, Buffer.from(value, 'utf8').toString('latin1'));
  }
  return params;
}

/**
 * The params of this CGI request (`cgiEnvironment`), and HTTP_PROXY dropped from the
 * environment when it came from a request header. A CGI server sets HTTP_* variables from
 * request headers (RFC 3875 §4.1.18), so HTTP_PROXY is the client's `Proxy:` header; libraries
 * that read it for outgoing requests would send them to the client's host (httpoxy). The value
 * stays visible to the app in ctx.platform (the raw params).
 *
 * @example
 * const params = removeHttpoxy(process.env); // params.get('HTTP_PROXY') kept, process.env.HTTP_PROXY gone
 */
export function removeHttpoxy(env: NodeJS.ProcessEnv): Map<string, string> {
  const params = cgiEnvironment(env);
  if (env.GATEWAY_INTERFACE !== undefined || env.REQUEST_METHOD !== undefined) delete env.HTTP_PROXY;
  return params;
}

/**
 * Let waitUntil work run on after the response. lighttpd ends a CGI response once its
 * Content-Length is in (or stdout closes) and then sends the script SIGTERM, which killed the
 * work; so a SIGTERM now only says the work is still finishing, and stdout is closed (fd 1
 * becomes /dev/null, so nothing can reach whatever would reuse it). Apache reads the script's
 * stderr to its end too, so there the response still ends with the process.
 */
export function outliveResponse(timeoutMs: number): void {
  keepThroughSigterm(timeoutMs);
  try {
    if (!fstatSync(1).isFIFO() && !fstatSync(1).isSocket()) return; // a file or a terminal: nothing waits for EOF
    closeSync(1);
    const fd = openSync('/dev/null', 'w');
    if (fd !== 1) closeSync(fd);
  } catch {
    // fd 1 already gone: nothing to release
  }
}

let keeping = false;

/**
 * The SIGTERM half of `outliveResponse`, to call before the response's last byte is written:
 * lighttpd sends SIGTERM the moment it has the Content-Length in, which can be before the
 * write returns.
 */
export function keepThroughSigterm(timeoutMs: number): void {
  if (keeping) return;
  keeping = true;
  process.on('SIGTERM', () => {
    console.error(`[portico] app.cgi: SIGTERM after the response; finishing waitUntil work (up to ${timeoutMs} ms)`);
  });
}
