// The benchmark app's shape on node-fastcgi (npm), node:http's API over FastCGI: GET answers
// "Hello, World!", POST parses the JSON body and sends it back re-serialised. Listens on the
// unix socket named by SOCKET.
const fcgi = require('node-fastcgi');

const HELLO = 'Hello, World!';
fcgi
  .createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8', 'content-length': String(Buffer.byteLength(HELLO)) });
      res.end(HELLO);
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  })
  .listen(process.env.SOCKET);
