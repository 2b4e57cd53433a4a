// A built server.mjs stand-in: the fastcgi (or, with TEST_PROTOCOL=scgi, the scgi) start.ts with
// the shared test app. TEST_BAKED_PORT stands for a port baked in from bundle.config.ts.
import { writeFileSync } from 'node:fs';
import { start as fastcgi } from '../../adapters/fastcgi/runtime/start.ts';
import { start as scgi } from '../../adapters/scgi/runtime/start.ts';
import { app } from './app.ts';

if (process.env.TEST_PID_FILE) writeFileSync(process.env.TEST_PID_FILE, String(process.pid));
const baked = {
  basePath: '',
  trustProxy: false,
  handleSignals: true,
  ...(process.env.TEST_BAKED_PORT ? { port: Number(process.env.TEST_BAKED_PORT) } : {}),
};
(process.env.TEST_PROTOCOL === 'scgi' ? scgi : fastcgi)({ default: app }, baked);
