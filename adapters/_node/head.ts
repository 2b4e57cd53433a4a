/**
 * Writing a response head for the send path: the app's reason phrase when it is a valid one,
 * and the Content-Length rule for a response without a body.
 */
import type { ServerResponse } from 'node:http';

// RFC 9112 §4: reason-phrase = *( HTAB / SP / VCHAR / obs-text )
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/** `writeHead` with the app's reason phrase when it may go on the wire, else node's. */
export function writeHead(res: ServerResponse, status: number, statusText: string, flat: string[]): void {
  if (statusText !== '' && REASON.test(statusText)) res.writeHead(status, statusText, flat);
  else res.writeHead(status, flat);
}

/** A response without a body: keep the app's Content-Length (a HEAD answer), else say 0. */
export function endEmpty(res: ServerResponse, status: number, statusText: string, flat: string[], appLength: string | undefined): void {
  if (appLength !== undefined) flat.push('content-length', appLength);
  else if (status !== 204 && status !== 304 && status >= 200) flat.push('content-length', '0');
  writeHead(res, status, statusText, flat);
  res.end();
}
