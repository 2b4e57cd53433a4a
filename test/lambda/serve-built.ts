/**
 * Serve a built dist/lambda folder over HTTP on 127.0.0.1 through the dev hook's emulation:
 * each request becomes the event of the chosen source, the real bundled handler answers.
 * Run as its own process (the conformance shim reads its output as the function's logs):
 *
 *   node test/lambda/serve-built.ts <dist/lambda folder> <v2|v1|alb|alb-multi>
 *
 * Prints `listening on http://127.0.0.1:<port>` once ready. Test tooling.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eventKindOption, lambdaDevListener } from '../../adapters/lambda/build/dev.ts';
import { installAwsLambdaGlobal } from '../../adapters/lambda/build/emulate-invoke.ts';

const [dir, kindArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node test/lambda/serve-built.ts <dist/lambda folder> [v2|v1|alb|alb-multi]');
  process.exit(2);
}
const kind = eventKindOption(kindArg);
installAwsLambdaGlobal();
const { handler } = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { handler: (...args: any[]) => unknown };
const listener = lambdaDevListener(handler, { event: kind });
const server = createServer((req, res) => {
  listener(req, res).catch((error: unknown) => {
    console.error('serve-built: unexpected', error);
    res.destroy();
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
