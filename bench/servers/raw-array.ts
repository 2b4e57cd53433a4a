/**
 * raw node:http as in raw.ts, but passing headers to `writeHead` as a flat [name, value, ...]
 * array (as portico's gateway does) instead of an object: how much of the difference between
 * portico and raw is only that. Run it with `--only raw-array`.
 */
import { createServer } from 'node:http';
import { listenAddress } from './listen.ts';

const HELLO = 'Hello, World!';
const HELLO_HEADERS = ['content-type', 'text/plain;charset=UTF-8', 'content-length', String(Buffer.byteLength(HELLO))];

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, HELLO_HEADERS);
    res.end(HELLO);
    return;
  }
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: string;
      try {
        body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        res.writeHead(400, ['content-type', 'text/plain', 'content-length', '8']);
        res.end('Bad JSON');
        return;
      }
      res.writeHead(200, ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))]);
      res.end(body);
    });
    return;
  }
  res.writeHead(405, ['content-length', '0']);
  res.end();
});

const { port, host } = listenAddress();
server.listen(port, host);
