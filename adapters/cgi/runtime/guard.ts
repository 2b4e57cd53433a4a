/**
 * What a CGI script must make sure of before the app runs (DESIGN §6): stdout carries the
 * response and nothing else (lighttpd turns stray lines into response headers, Apache answers
 * 500), and a `Proxy:` request header, which arrives as the HTTP_PROXY variable, never steers
 * outgoing requests (httpoxy, CVE-2016-5385 and kin).
 */
import { Writable } from 'node:stream';

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
 * Drop HTTP_PROXY from the environment when it came from a request header. A CGI server sets
 * HTTP_* variables from request headers (RFC 3875 §4.1.18), so HTTP_PROXY is the client's
 * `Proxy:` header; libraries that read it for outgoing requests would send them to the
 * client's host. The value stays visible to the app in ctx.platform (the raw params).
 *
 * @example
 * const params = removeHttpoxy(process.env); // params.get('HTTP_PROXY') kept, process.env.HTTP_PROXY gone
 */
export function removeHttpoxy(env: NodeJS.ProcessEnv): Map<string, string> {
  const params = new Map<string, string>();
  for (const name of Object.keys(env)) {
    const value = env[name];
    if (value !== undefined) params.set(name, value);
  }
  if (env.GATEWAY_INTERFACE !== undefined || env.REQUEST_METHOD !== undefined) delete env.HTTP_PROXY;
  return params;
}
