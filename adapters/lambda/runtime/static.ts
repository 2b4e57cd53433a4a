/**
 * public/ served from the function itself: the lambda target copies it into the zip beside
 * index.mjs and bakes its manifest into the entry, so a request that names no file costs one
 * Map lookup before the app, and a hit reads just the bytes it sends (no stat, no listing).
 * Status and headers come from the shared core (adapters/_static); the body goes out as bytes,
 * which result.ts sends base64 when binary or compressed, and stream.ts streams as they are.
 *
 * Behind a CDN (CloudFront with an S3 origin for /assets/*) files cost no invocation at all;
 * see README.md, "Static files on Lambda".
 */
import { openSync, readFileSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerStatic, findStatic, type StaticOptions } from '../../_static/answer.ts';
import { staticRoutes, type StaticManifest, type StaticRoutes } from '../../_static/manifest.ts';
import type { StaticReader } from '../../_static/reader.ts';
import type { EventKind } from './events.ts';
import type { Parts } from './invoke.ts';
import { albQuery, v1Query, v2Query } from './query.ts';
import { rawHeader } from './request.ts';
import type { AlbEvent, V1Event, V2Event } from './types.ts';

/** The `static` option of `handle`: which files, and where their bytes are. */
export interface LambdaStaticFiles extends StaticOptions {
  /** The files: the manifest the bundler baked in, or a routes lookup (dev's live view). */
  manifest: StaticManifest | StaticRoutes;
  /** The folder holding them (path or file: URL), or a reader of their bytes (adapters/_static/reader.ts). */
  from: string | URL | StaticReader<Uint8Array>;
}

/** Answers a request from the files, or returns undefined for the app to answer. */
export type LambdaStatic = (event: V1Event | V2Event | AlbEvent, kind: EventKind, method: string, appPath: string, mount: string) => Parts | Promise<Parts> | undefined;

/**
 * Reads byte ranges of files below `dir` synchronously: a Lambda sandbox handles one event at
 * a time, so a blocking read of a file in the function's own folder is the shortest path.
 *
 * @example
 * folderReader('/var/task/public').read('/logo.png', 0, 99); // the first 100 bytes
 */
export function folderReader(dir: string): StaticReader<Uint8Array> {
  return {
    read(file, start, end) {
      const path = join(dir, file);
      const length = end - start + 1;
      if (start === 0) {
        const whole = readFileSync(path);
        if (whole.length === length) return whole;
        if (whole.length > length) return whole.subarray(0, length);
      }
      const out = Buffer.allocUnsafe(length);
      const fd = openSync(path, 'r');
      try {
        let got = 0;
        while (got < length) {
          const n = readSync(fd, out, got, length - got, start + got);
          if (n === 0) throw new Error(`PORTICO_STATIC_CHANGED: ${path} is shorter than when the bundle was built; rebuild and redeploy`);
          got += n;
        }
      } finally {
        closeSync(fd);
      }
      return out;
    },
  };
}

function queryOf(event: V1Event | V2Event | AlbEvent, kind: EventKind): string {
  const q = kind === 'v2' ? v2Query(event as V2Event) : kind === 'alb' ? albQuery(event as AlbEvent) : v1Query(event as V1Event);
  return q ? `?${q}` : '';
}

function pairs(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/**
 * Compile the `static` option once, at `handle()`.
 *
 * @example
 * const statics = lambdaStatic({ manifest, from: new URL('./public/', import.meta.url) });
 * const parts = statics(event, 'v2', 'GET', '/logo.png', ''); // Parts, or undefined for the app
 */
export function lambdaStatic(files: LambdaStaticFiles): LambdaStatic {
  if (files === null || typeof files !== 'object' || files.manifest === null || typeof files.manifest !== 'object') {
    throw new TypeError('PORTICO_BAD_OPTION: "static" must be { manifest, from } (the lambda target writes it; set publicDir: false for none)');
  }
  const routes: StaticRoutes = 'version' in files.manifest ? staticRoutes(files.manifest as StaticManifest) : (files.manifest as StaticRoutes);
  const from = files.from;
  const reader = typeof from === 'string' ? folderReader(from) : from instanceof URL ? folderReader(fileURLToPath(from)) : from;
  const options: StaticOptions = { cacheControl: files.cacheControl };
  return (event, kind, method, appPath, mount) => {
    const route = findStatic(routes, method, appPath);
    if (route === undefined) return undefined;
    const search = route.kind === 'folder' ? queryOf(event, kind) : '';
    const answer = answerStatic(route, (name) => rawHeader(event, name), method, appPath, search, mount, options);
    const headers = pairs(answer.headers);
    const want = answer.body;
    if (want === undefined) return { status: answer.status, statusText: '', headers, body: { kind: 'none' } };
    const bytes = reader.read(want.file, want.start, want.end);
    if (bytes instanceof Promise) return bytes.then((b) => ({ status: answer.status, statusText: '', headers, body: { kind: 'bytes', bytes: b } }));
    return { status: answer.status, statusText: '', headers, body: { kind: 'bytes', bytes } };
  };
}
