/**
 * public/ served by the bun executable: the manifest baked in at build time decides every answer
 * (adapters/_static, as for the Node executable), and the bytes are the files `bun build
 * --compile --asset public` embedded, handed to Bun.serve as Blob slices (Bun sends a Blob from
 * the executable's memory without copying it into JavaScript).
 *
 * Run time only: Web APIs and the `Bun` global.
 */
import { answerStatic, findStatic, type StaticOptions } from '../../_static/answer.ts';
import { staticRoutes, type StaticManifest } from '../../_static/manifest.ts';
import type { StaticReader } from '../../_static/reader.ts';
import { nativeClasses, type BunEmbeddedFile } from './bun-types.ts';

const Native = nativeClasses();

/**
 * A reader of the embedded files: `file` is a manifest key (`/css/app.css`, or its `.br`/`.gz`
 * sibling), `end` inclusive (adapters/_static/reader.ts). The list is indexed on the first hit,
 * not at start: a start that serves no file pays nothing.
 *
 * @example
 * bunEmbeddedReader(Bun.embeddedFiles).read('/index.html', 0, 99); // Blob of 100 bytes
 */
export function bunEmbeddedReader(files: () => readonly BunEmbeddedFile[]): StaticReader<Blob> {
  let byKey: Map<string, Blob> | undefined;
  return {
    read(file, start, end) {
      if (byKey === undefined) {
        byKey = new Map();
        // Names are `public/<path>` with '/' on every platform ('\\' on Windows builds, seen as '/': normalised).
        for (const f of files()) if (f.name.replace(/\\/g, '/').startsWith('public/')) byKey.set(f.name.replace(/\\/g, '/').slice(6), f);
      }
      const blob = byKey.get(file);
      if (blob === undefined) throw new Error(`PORTICO_EXE_ASSET: the executable holds no public${file}; rebuild it with portico bundle --target exe --runtime bun`);
      if (end >= blob.size) throw new Error(`PORTICO_EXE_ASSET: public${file} is shorter than its manifest entry; rebuild the executable`);
      return start === 0 && end === blob.size - 1 ? blob : blob.slice(start, end + 1);
    },
  };
}

/** Answers a request from the files, or returns undefined for the app to answer. */
export type BunStatic = (request: Request, rawPath: string, search: string) => Response | undefined;

/**
 * The static handler for a baked manifest: one Map lookup for a request that names no file.
 *
 * @param basePath the mount, put back in front of a folder redirect's Location
 *
 * @example
 * const statics = bunStatic(manifest, reader, '/shop');
 * const hit = statics(request, '/css/app.css', ''); // a Response, or undefined
 */
export function bunStatic(manifest: StaticManifest, reader: StaticReader<Blob>, basePath: string, options: StaticOptions = {}): BunStatic {
  const routes = staticRoutes(manifest);
  return (request, rawPath, search) => {
    const route = findStatic(routes, request.method, rawPath);
    if (route === undefined) return undefined;
    const headers = request.headers;
    const answer = answerStatic(route, (name) => headers.get(name) ?? undefined, request.method, rawPath, search, basePath, options);
    const out = new Native.Headers();
    for (let i = 0; i < answer.headers.length; i += 2) out.append(answer.headers[i]!, answer.headers[i + 1]!);
    const want = answer.body;
    // A body-less answer keeps its Content-Length (HEAD, 304): Bun sends the header as given.
    const body = want === undefined ? null : (reader.read(want.file, want.start, want.end) as Blob);
    return new Native.Response(body, { status: answer.status, headers: out });
  };
}
