/** Small statistics for benchmark figures. */

/**
 * The median of a list of numbers (the mean of the middle two for an even count); NaN when empty.
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/**
 * `values` formatted for a table, e.g. `67,712`.
 *
 * @example
 * formatInt(67712.4); // '67,712'
 */
export function formatInt(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/**
 * A ratio formatted like `0.95×`.
 *
 * @example
 * formatRatio(0.9512); // '0.95×'
 */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

/**
 * A Markdown table from a header row and body rows; columns after the first are right-aligned.
 *
 * @example
 * markdownTable(['a', 'b'], [['x', '1']]);
 */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}
