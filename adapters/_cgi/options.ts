/**
 * The options the fastcgi, scgi and cgi targets bake into a built script from bundle.config.ts
 * (`fastcgi: {...}`, `scgi: {...}`, `cgi: {...}`), handed to `start(mod, baked)` of
 * `adapters/<t>/runtime/start.ts`. Flags and the environment of the running script (`--socket`,
 * `--port`, `--host`, `PORTICO_SOCKET`, `PORT`, `HOST`) win over the baked listen address.
 *
 * Run time only: this type is the contract between the targets (build/) and the runtimes.
 */
import type { BakedDaemonOptions } from '../_daemon/settings.ts';

export interface BakedClassicOptions extends BakedDaemonOptions {
  /** FastCGI/SCGI: the app's name (`<t>.name`), for the process titles of daemon mode. */
  name?: string;
  /** The mount point ('' or '/shop'); when set it wins over the server's SCRIPT_NAME. */
  basePath: string;
  /** Which peers' X-Forwarded-* / Forwarded headers to believe, as on the node gateway. */
  trustProxy: boolean | string | string[];
  /** Largest request body in bytes (413 beyond). Undefined: the runtime's default. */
  maxBodySize?: number;
  /** Largest params / header block in bytes (FastCGI PARAMS, SCGI netstring). Undefined: the runtime's default. */
  maxParamsSize?: number;
  /** FastCGI/SCGI: unix socket path to listen on. */
  socket?: string;
  /** FastCGI/SCGI: TCP port to listen on. */
  port?: number;
  /** FastCGI/SCGI: interface for `port`. */
  host?: string;
  /** FastCGI/SCGI: permissions of the unix socket (e.g. 0o660), so the web server's user can connect. Undefined: the umask's. */
  socketMode?: number;
  /** FastCGI/SCGI: drain in-flight requests on SIGTERM/SIGINT, then exit. */
  handleSignals: boolean;
}
