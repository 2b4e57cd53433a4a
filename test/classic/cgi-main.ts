// A CGI script as the cgi target writes it: start.ts first (it guards stdout before the app loads).
import { start } from '../../adapters/cgi/runtime/start.ts';
import * as mod from './cgi-app.ts';

start(mod, { basePath: process.env.TEST_BASE_PATH ?? '', trustProxy: false, handleSignals: false });
