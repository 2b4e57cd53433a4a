/**
 * Where a static file's bytes come from: the one thing that differs between gateways. The core
 * (answer.ts) decides status and headers from the manifest alone and names the bytes it wants;
 * a gateway hands them to the client through its reader.
 *
 * | gateway | reader | Body |
 * |---|---|---|
 * | node (`serve`, server.mjs) | `fs.createReadStream(join(root, file), { start, end })`, no stat | node Readable |
 * | lambda | the file under the function's folder (`public/` in the zip), read whole or in part | Uint8Array |
 * | exe | the embedded SEA asset (`sea.getRawAsset('public' + file)`), sliced | Uint8Array |
 *
 * Contract:
 * - `file` is a manifest key (`/css/app.css`) or a precompressed sibling of one
 *   (`/css/app.css.br`, `/css/app.css.gz`); the reader never sees anything else, so it need not
 *   re-check the path. Map it onto your storage by prefixing the folder or asset name.
 * - `start` and `end` are byte offsets, `end` INCLUSIVE (as in a Content-Range and in
 *   `fs.createReadStream`), `0 <= start <= end < size`; the whole file is `0, size - 1`.
 *   An empty file is never read (the core answers it without a body).
 * - The bytes must be the ones the manifest describes (same size). If the storage changed
 *   under a built manifest, a short read ends the response early: the client sees a truncated
 *   body, never other bytes than it asked for.
 * - It may return the body or a promise of it; a reader that fails (file gone) throws or
 *   rejects, and the gateway ends the response as it ends any failed body (for node: the
 *   connection is closed, since status and length are already sent).
 *
 * @example
 * // node
 * const reader: StaticReader<Readable> = { read: (file, start, end) => createReadStream(root + file, { start, end }) };
 * @example
 * // a single executable (node:sea)
 * const reader: StaticReader<Uint8Array> = {
 *   read: (file, start, end) => new Uint8Array(sea.getRawAsset('public' + file), start, end - start + 1),
 * };
 */
export interface StaticReader<Body> {
  read(file: string, start: number, end: number): Body | Promise<Body>;
}
