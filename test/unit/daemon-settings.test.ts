// Daemon mode's flags over PORTICO_WORKERS over the baked config, and the numbers of the worker
// lifecycle (respawn backoff, request limit with jitter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { needsPrimary, takeDaemonArgs } from '../../adapters/_daemon/settings.ts';
import { nextRapidDeaths, requestLimit, respawnDelay } from '../../adapters/_daemon/policy.ts';

test('flag > PORTICO_WORKERS > config; the gateway keeps the other arguments in order', () => {
  assert.deepEqual(takeDaemonArgs(['--port', '9000', '--workers=3', '--max-requests', '50'], { PORTICO_WORKERS: '2' }, { workers: 4, maxRequestsJitter: 5 }), {
    settings: { workers: 3, maxRequests: 50, maxRequestsJitter: 5 },
    rest: ['--port', '9000'],
  });
  assert.equal(takeDaemonArgs([], { PORTICO_WORKERS: '2' }, { workers: 4 }).settings.workers, 2);
  assert.equal(takeDaemonArgs([], { PORTICO_WORKERS: '' }, { workers: 4 }).settings.workers, 4);
  assert.equal(takeDaemonArgs([], {}, {}).settings.workers, 1);
  assert.equal(takeDaemonArgs(['--workers', 'auto'], {}, {}).settings.workers, availableParallelism());
  assert.equal(takeDaemonArgs([], {}, { workers: 'auto' }).settings.workers, availableParallelism());
});

test('bad values are one line naming the flag or variable', () => {
  assert.throws(() => takeDaemonArgs(['--workers', '0'], {}, {}), /^Error: --workers must be a number of processes \(1 or more\) or "auto", got "0"$/);
  assert.throws(() => takeDaemonArgs([], { PORTICO_WORKERS: 'lots' }, {}), /PORTICO_WORKERS must be/);
  assert.throws(() => takeDaemonArgs(['--max-requests', '-1'], {}, {}), /--max-requests must be a whole number, got "-1"/);
  assert.throws(() => takeDaemonArgs(['--workers'], {}, {}), /--workers needs a value/);
});

test('a primary runs with more than one worker or with a request limit; --workers 1 alone is one process', () => {
  assert.equal(needsPrimary({ workers: 1, maxRequests: 0, maxRequestsJitter: 0 }), false);
  assert.equal(needsPrimary({ workers: 1, maxRequests: 100, maxRequestsJitter: 0 }), true);
  assert.equal(needsPrimary({ workers: 2, maxRequests: 0, maxRequestsJitter: 0 }), true);
});

test('respawn: at once after a worker that served a while, doubling from 100 ms for young deaths, capped at 10 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 8, 20].map(respawnDelay), [0, 100, 200, 400, 800, 10_000, 10_000]);
  assert.equal(nextRapidDeaths(0, 100), 1);
  assert.equal(nextRapidDeaths(3, 100), 4);
  assert.equal(nextRapidDeaths(3, 30_000), 0);
});

test('request limit: max plus 0..jitter, whole; none when max is 0', () => {
  assert.equal(requestLimit(100, 10, () => 0), 100);
  assert.equal(requestLimit(100, 10, () => 0.999), 110);
  assert.equal(requestLimit(100, 0, () => 0.5), 100);
  assert.equal(requestLimit(0, 10), Infinity);
});
