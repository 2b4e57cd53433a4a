/**
 * The benchmark app every Fetch-style contender serves: a plain `{ fetch }` object, as a portico
 * user writes it. GET answers "Hello, World!"; POST parses the JSON body and sends it back
 * re-serialised. It routes on the method alone so that no contender pays for a URL parse the
 * others skip (raw node:http does the same).
 *
 * `Response` is the free identifier on purpose: in the portico bundle the bundler injects
 * portico's light FastResponse for it; everywhere else it is the global (undici) Response.
 */
export function createApp(R: typeof Response = Response): { fetch(request: Request): Response | Promise<Response> } {
  return {
    fetch(request) {
      if (request.method === 'GET') return new R('Hello, World!');
      if (request.method === 'POST') return request.json().then((obj) => R.json(obj));
      return new R('Method Not Allowed', { status: 405 });
    },
  };
}

export default createApp();
