/**
 * The request path an app sees, and the prefix API Gateway put in front of it.
 *
 * API Gateway hides the public path in different places per API kind:
 *
 * - REST API: `event.path` is the path after the stage (default endpoint) or after the
 *   custom domain's base path mapping, while `requestContext.path` is the path the client
 *   asked for. When `requestContext.path` ends with `event.path`, what comes before it
 *   (`/prod`, `/api`) is where the API is mounted: the app's `ctx.basePath`.
 * - HTTP API (payload 1.0 and 2.0): a named stage (not `$default`) stays at the front of
 *   `path` / `rawPath` on the `execute-api` endpoint. portico takes it off and reports it in
 *   `ctx.basePath`, but only on the `execute-api` domain: through a custom domain, the stage
 *   is not in the path and a route that happens to start with the stage name must stay intact.
 *   For API mappings on a custom domain, set the `basePath` option.
 * - Function URLs and ALB: the path is the client's path.
 */
import { wellFormed } from './query.ts';
import type { V1Event, V2Event } from './types.ts';

/** The prefix API Gateway added before the app's path, and that path. */
export interface SplitPath {
  prefix: string;
  path: string;
}

// WHATWG URL path percent-encode set (C0 controls, space, ", #, <, >, ?, `, {, }) plus
// non-ASCII: the characters that cannot stand raw in a URL path. A '%' that starts an escape
// stays, so a path that is already percent-encoded (REST API, Function URL, ALB) is never
// encoded twice; a '%' that cannot start one becomes %25. HTTP APIs hand over the path DECODED
// (live captures in hotsock/voker `vokerhttp/testdata/ingress-paths.json`: `/a%20b` arrives as
// `/a b`, `/x%2525y` as `/x%y`), so their spaces, non-ASCII and stray '%' are encoded here.
const NEEDS_ENCODING = /[\u0000-\u0020"#<>?`{}\u007f-\uffff]|%(?![0-9A-Fa-f]{2})/;
const NEEDS_ENCODING_G = /(?:[\u0000-\u0020"#<>?`{}\u007f-\uffff]|%(?![0-9A-Fa-f]{2}))+/g;

/**
 * A path that can be put in a URL as is: characters a URL path cannot hold raw are
 * percent-encoded as UTF-8; everything else (including existing `%XX`) is kept.
 *
 * @example
 * urlPath('/a b');     // '/a%20b'
 * urlPath('/a%20b');   // '/a%20b'
 * urlPath('/50%off');  // '/50%25off'
 * urlPath('');         // '/'
 */
export function urlPath(path: string): string {
  if (path === '' || path.charCodeAt(0) !== 47 /* / */) path = '/' + path;
  if (!NEEDS_ENCODING.test(path)) return path;
  return path.replace(NEEDS_ENCODING_G, (s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return encodeURIComponent(wellFormed(s));
    }
  });
}

function isExecuteApi(domain: unknown): boolean {
  return typeof domain === 'string' && domain.includes('.execute-api.');
}

/** Take `/{stage}` off the front of `path` when the event says it is there. */
function stripStage(path: string, stage: unknown, domain: unknown): SplitPath | undefined {
  if (typeof stage !== 'string' || stage === '' || stage === '$default' || !isExecuteApi(domain)) return undefined;
  const n = stage.length + 1;
  if (path.length >= n && path.charCodeAt(0) === 47 && path.startsWith(stage, 1) && (path.length === n || path.charCodeAt(n) === 47)) {
    return { prefix: path.slice(0, n), path: path.length === n ? '/' : path.slice(n) };
  }
  return undefined;
}

/**
 * Split a REST API (payload 1.0) event's path into mount prefix and app path.
 *
 * @example
 * v1Path({ path: '/users', requestContext: { path: '/prod/users', stage: 'prod' } } as V1Event);
 * // { prefix: '/prod', path: '/users' }
 */
export function v1Path(event: V1Event): SplitPath {
  const path = event.path || '/';
  const rc = event.requestContext;
  const full = rc.path;
  // The console's Test button puts the resource template ('/items/{id}') in requestContext.path.
  if (typeof full === 'string' && full !== path && full.length > path.length && !full.includes('{')) {
    if (path === '/') {
      const prefix = full.replace(/\/+$/, '');
      return { prefix, path: '/' };
    }
    if (full.endsWith(path)) {
      const prefix = full.slice(0, full.length - path.length).replace(/\/+$/, '');
      return { prefix, path };
    }
  }
  // HTTP API with payload 1.0 leaves a named stage in both paths.
  if (event.version === '1.0') return stripStage(path, rc.stage, rc.domainName) ?? { prefix: '', path };
  // A REST event without requestContext.path (older samples, aws-lambda-go's apigw-request.json):
  // on the execute-api domain a REST API is only reached through /{stage}, so that is the mount.
  if (full === undefined && typeof rc.stage === 'string' && rc.stage !== '' && rc.stage !== 'test-invoke-stage' && isExecuteApi(rc.domainName)) {
    return { prefix: '/' + rc.stage, path };
  }
  return { prefix: '', path };
}

/**
 * Split a payload 2.0 event's raw path (HTTP API, Function URL) into mount prefix and app path.
 *
 * @example
 * v2Path({ rawPath: '/dev/users', requestContext: { stage: 'dev', domainName: 'x.execute-api.eu-west-1.amazonaws.com', http: { method: 'GET' } } } as V2Event);
 * // { prefix: '/dev', path: '/users' }
 */
export function v2Path(event: V2Event): SplitPath {
  const path = event.rawPath || '/';
  const rc = event.requestContext;
  return stripStage(path, rc.stage, rc.domainName) ?? { prefix: '', path };
}
