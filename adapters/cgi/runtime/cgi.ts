/**
 * The CGI gateway (`portico/cgi`, RFC 3875): one process per request. The meta-variables come
 * from the environment, the body from stdin (to CONTENT_LENGTH, or to its end when there is no
 * CONTENT_LENGTH: Apache streams a chunked upload that way), the response goes to stdout. The
 * app's console output goes to stderr; waitUntil work finishes before the process exits.
 *
 * @example
 * // app.cgi (CommonJS: Node refuses ESM in a file named app.cgi)
 * const { runCGI } = require('portico/cgi');
 * runCGI(require('./app.js').default);
 */
import type { App } from '../../../src/app.ts';
import { createCgiHandler, type CgiHandlerOptions } from '../../_cgi/handler.ts';
import type { CgiParams } from '../../_cgi/meta.ts';
import type { ResponseSink } from '../../_cgi/response.ts';
import { guardStdout, keepThroughSigterm, outliveResponse, removeHttpoxy } from './guard.ts';

/** Options of `runCGI`. */
export interface CGIOptions<Env = Record<string, unknown>> extends CgiHandlerOptions<Env> {
  /** How long waitUntil work may run after the response, ms. Default 30000. */
  waitUntilTimeout?: number;
  /** The meta-variables. Default: the environment as bytes (`cgiEnvironment`). */
  params?: CgiParams;
  /** Called instead of `process.exit(code)` once everything is done (tests). */
  exit?: (code: number) => void;
}

/**
 * Answer the one request this process was started for, then exit.
 *
 * @example
 * runCGI({ fetch: () => new Response('hello from CGI') });
 */
export function runCGI<Env = Record<string, unknown>>(app: App<Env>, options: CGIOptions<Env> = {}): Promise<void> {
  const writeOut = guardStdout();
  const params = options.params ?? removeHttpoxy(process.env);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const handler = createCgiHandler(app, options, 'cgi');
  const waitUntilTimeout = options.waitUntilTimeout ?? 30_000;
  let stdinAttached = false;

  return new Promise<void>((resolve) => {
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      if (stdinAttached) process.stdin.pause();
      if (handler.waitUntil.size > 0 && options.exit === undefined) outliveResponse(waitUntilTimeout);
      handler.waitUntil.settled(waitUntilTimeout).then(() => {
        resolve();
        exit(0);
      });
    };
    const flushThenDone = (): void => {
      writeOut('', 'latin1', () => done());
    };
    // Before the last byte goes out: the server may send SIGTERM as soon as it has it.
    const beforeLastWrite = (): void => {
      if (handler.waitUntil.size > 0 && options.exit === undefined) keepThroughSigterm(waitUntilTimeout);
    };
    const sink: ResponseSink = {
      sendAll(head, body) {
        beforeLastWrite();
        writeOut(head, 'latin1');
        if (body !== undefined) writeOut(body as string | Uint8Array);
        flushThenDone();
      },
      sendHead(head) {
        writeOut(head, 'latin1');
      },
      write(chunk) {
        beforeLastWrite(); // any chunk may be the one that completes a declared Content-Length
        return writeOut(chunk);
      },
      onDrain(callback) {
        process.stdout.once('drain', callback);
      },
      end() {
        beforeLastWrite();
        flushThenDone();
      },
      destroy() {
        // The head is out and the body failed: exit non-zero so the server logs a broken script.
        finished = true;
        resolve();
        exit(1);
      },
      get gone() {
        return finished;
      },
    };
    const method = params.get('REQUEST_METHOD') || 'GET';
    const exchange = handler(params, sink, (paused) => (paused ? process.stdin.pause() : process.stdin.resume()));
    if (method !== 'GET' && method !== 'HEAD' && !exchange.body.done) {
      stdinAttached = true;
      const stdin = process.stdin;
      stdin.on('data', (chunk: Buffer) => {
        exchange.body.push(chunk);
        if (exchange.body.done) stdin.pause();
      });
      stdin.on('end', () => exchange.body.end());
      stdin.on('error', (error) => exchange.body.fail(error));
    }
  });
}
