/**
 * The POST workload's body: a 4 KB JSON document shaped like an API payload (nested objects,
 * arrays, numbers, booleans, a few non-ASCII strings), the same bytes on every run.
 */

/** Target size in bytes of the serialised body. */
export const PAYLOAD_BYTES = 4096;

/**
 * Build the JSON text: items are added until the next one would pass `bytes`, then a filler
 * string pads it to exactly `bytes`.
 *
 * @example
 * const text = payloadJson();
 * Buffer.byteLength(text); // 4096
 */
export function payloadJson(bytes = PAYLOAD_BYTES): string {
  const doc: { id: string; user: Record<string, unknown>; items: unknown[]; note: string } = {
    id: 'order-2026-000042',
    user: { id: 7, name: 'Zoë Ångström', email: 'zoe@example.test', verified: true, roles: ['buyer', 'reviewer'] },
    items: [],
    note: '',
  };
  for (let i = 0; ; i++) {
    const item = { sku: `SKU-${1000 + i}`, title: `Widget number ${i}`, qty: (i % 5) + 1, price: 9.99 + i, tags: ['blue', 'metal'], inStock: i % 3 !== 0 };
    doc.items.push(item);
    if (Buffer.byteLength(JSON.stringify(doc)) > bytes) {
      doc.items.pop();
      break;
    }
  }
  const missing = bytes - Buffer.byteLength(JSON.stringify(doc));
  doc.note = 'x'.repeat(missing);
  const text = JSON.stringify(doc);
  if (Buffer.byteLength(text) !== bytes) throw new Error(`payload is ${Buffer.byteLength(text)} bytes, wanted ${bytes}`);
  return text;
}
