/**
 * The gateway's own small answers (400, 404, 413, 500, 504): plain text, with the reason phrase
 * of their own status. node keeps a `statusMessage` set by an earlier, failed `writeHead` (an
 * app's 200 whose header node refused), which gave `HTTP/1.1 500 OK`; naming it here cannot.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';

const PLAIN = 'text/plain;charset=UTF-8';

/**
 * Answer `status` with `text`, unless an answer is already under way: then a started one is
 * cut (the client sees a broken response, not a wrong one) and a finished one is left alone.
 * `close` ends the connection after it, for when the request body was not read.
 *
 * @example
 * sendPlain(res, 400, 'Bad Request: invalid Host header\n', true);
 */
export function sendPlain(res: ServerResponse, status: number, text: string, close = false): void {
  if (res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const flat = ['content-type', PLAIN, 'content-length', String(Buffer.byteLength(text))];
  if (close) res.shouldKeepAlive = false;
  res.writeHead(status, STATUS_CODES[status] ?? 'Unknown', flat);
  res.end(text);
}
