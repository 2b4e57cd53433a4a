/**
 * Where a benchmark server listens: PORT and HOST from the environment (the runner picks a free
 * port), 127.0.0.1 by default so nothing is exposed beyond loopback.
 */
export function listenAddress(): { port: number; host: string } {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`PORTICO_BENCH_PORT: PORT must be a port number (1-65535), got ${JSON.stringify(process.env.PORT)}`);
  }
  return { port, host: process.env.HOST || '127.0.0.1' };
}
