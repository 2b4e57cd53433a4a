/**
 * The static baseline: node:http answering `GET /style.css` from a file whose length and type
 * it knows in advance (no stat per request: the least any server can do), streaming it with
 * fs.createReadStream, and `Hello, World!` for every other GET. PUBLIC_DIR names the folder.
 * With RAW_STATIC_MEMORY=1 it sends the file's bytes read once at start instead: the floor.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import { listenAddress } from './listen.ts';

const dir = process.env.PUBLIC_DIR;
if (!dir) throw new Error('PORTICO_BENCH_PUBLIC_DIR: set PUBLIC_DIR to the folder holding style.css');
const file = join(dir, 'style.css');
const FILE_HEADERS = { 'content-type': 'text/css; charset=utf-8', 'content-length': String(statSync(file).size) };
const BYTES = process.env.RAW_STATIC_MEMORY === '1' ? readFileSync(file) : undefined;
const HELLO = 'Hello, World!';
const HELLO_HEADERS = { 'content-type': 'text/plain;charset=UTF-8', 'content-length': String(Buffer.byteLength(HELLO)) };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/style.css') {
    res.writeHead(200, FILE_HEADERS);
    if (BYTES !== undefined) res.end(BYTES);
    else pipeline(createReadStream(file), res, () => {});
    return;
  }
  res.writeHead(200, HELLO_HEADERS);
  res.end(HELLO);
});

const { port, host } = listenAddress();
server.listen(port, host);
