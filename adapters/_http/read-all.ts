/**
 * Read a body stream to its end, as one byte array. Shared by the light request (`text()`
 * after `body` was looked at) and by gateways that must send a response in one piece
 * (buffered Lambda). Web APIs only.
 */

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Every chunk of `stream`, joined; string chunks (which some apps enqueue on response
 * streams) as UTF-8. Locks the stream, so a second read is refused.
 *
 * @example
 * const bytes = await readAll(new Response('hi').body!); // Uint8Array [104, 105]
 */
export async function readAll(stream: ReadableStream<Uint8Array | string>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = typeof value === 'string' ? encoder.encode(value) : value;
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
