// portico's own config: `npm start` bundles examples/hello for node into dist/node/ and serves
// it on http://127.0.0.1:3000, with examples/hello/public as its static files.
import { defineConfig } from 'portico/config';

export default defineConfig({
  entry: 'examples/hello/app.ts',
  publicDir: 'examples/hello/public',
  target: 'node',
  node: { host: '127.0.0.1', port: 3000 },
});
