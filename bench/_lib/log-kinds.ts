/**
 * Count a server's log lines by kind, for the soak reports: a portico line by its error code
 * (PORTICO_…) or its message with the request, numbers and paths taken out; an nginx error log
 * line by its level and message, without the time, pid, connection and client. Bench tooling.
 */

/** The kind of one log line. */
function kindOf(line: string): string {
  let text = line
    // nginx: "2026/11/30 09:01:02 [error] 123#123: *45 message, client: …"
    .replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (\[\w+\]) \d+#\d+: (?:\*\d+ )?/, '$1 ')
    .replace(/, client: .*$/, '')
    .replace(/^\[portico\] /, '')
    .replace(/^[A-Z]+ \S+ failed: /, 'request failed: ')
    .replace(/^[A-Z]+ \S+: /, 'request: ');
  const code = /PORTICO_[A-Z_]+/.exec(text);
  if (code) text = text.slice(0, code.index + code[0].length);
  return text.replace(/(?:unix:)?\/\S+/g, '<path>').replace(/\d+/g, 'N').slice(0, 140);
}

/**
 * Lines of `log` grouped by kind, most frequent first.
 *
 * @example
 * logKinds('[portico] GET /a failed: PORTICO_BODY_TOO_LARGE: …\n'); // [['request failed: PORTICO_BODY_TOO_LARGE', 1]]
 */
export function logKinds(log: string): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    if (line.trim() === '') continue;
    const kind = kindOf(line);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}
