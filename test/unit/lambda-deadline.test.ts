/**
 * request.signal on Lambda: aborted shortly before the invocation deadline
 * (context.getRemainingTimeInMillis()), with no timer at all unless the app reads the signal.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { handle } from '../../adapters/lambda/runtime/lambda.ts';
import { FastResponse } from '../../adapters/_http/response.ts';
import { fixture } from './lambda-helpers.ts';

function context(left: number | (() => number)) {
  const start = Date.now();
  return {
    awsRequestId: 'deadline-1',
    getRemainingTimeInMillis: typeof left === 'function' ? left : () => left - (Date.now() - start),
  };
}

const text = (body: string, status = 200) => new FastResponse(body, { status, headers: { 'content-type': 'text/plain' } }) as unknown as Response;

describe('request.signal and the invocation deadline', { timeout: 10_000 }, () => {
  test('aborts before the deadline with a TimeoutError, so the app can still answer', async () => {
    const app = {
      async fetch(request: Request) {
        const signal = request.signal;
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        return text(`stopped: ${(signal.reason as DOMException).name}: ${(signal.reason as DOMException).message}`, 503);
      },
    };
    const started = Date.now();
    const result: any = await handle(app, { deadlineMargin: 100 })(fixture('http-v2'), context(400));
    const took = Date.now() - started;
    assert.equal(result.statusCode, 503);
    // max(400 - 100, 90 % of 400) = 360 ms: about 40 ms before the 400 ms deadline.
    assert.match(result.body, /^stopped: TimeoutError: The Lambda invocation deadline is near \((3\d|40) ms left\)$/);
    assert.ok(took >= 300 && took < 2000, `aborted after ${took} ms`);
  });

  test('a short function keeps 90 % of its time: the margin never eats it all', async () => {
    let abortedAt = 0;
    const started = Date.now();
    const app = {
      async fetch(request: Request) {
        await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => ((abortedAt = Date.now() - started), resolve()), { once: true }));
        return text('late');
      },
    };
    await handle(app)(fixture('http-v2'), context(200));
    assert.ok(abortedAt >= 170 && abortedAt < 2000, `aborted after ${abortedAt} ms with the default 1000 ms margin and 200 ms left`);
  });

  test('no timer unless the app reads request.signal: the remaining time is not even asked', async () => {
    const ctx = context(() => {
      throw new Error('getRemainingTimeInMillis should not be called');
    });
    const result: any = await handle({ fetch: () => text('hi') })(fixture('http-v2'), ctx);
    assert.equal(result.statusCode, 200);
    assert.equal(result.body, 'hi');
  });

  test('the timer ends with the invocation: a signal read early is not aborted later', async () => {
    let signal: AbortSignal | undefined;
    const app = {
      fetch(request: Request) {
        signal = request.signal;
        return text('quick');
      },
    };
    const result: any = await handle(app)(fixture('rest-v1-stage'), context(150));
    assert.equal(result.body, 'quick');
    await sleep(250);
    assert.equal(signal!.aborted, false);
  });

  test('a negative deadlineMargin turns it off; a non-number is refused', async () => {
    let signal: AbortSignal | undefined;
    const app = {
      async fetch(request: Request) {
        signal = request.signal;
        await sleep(150);
        return text('done');
      },
    };
    const result: any = await handle(app, { deadlineMargin: -1 })(fixture('alb-single'), context(100));
    assert.equal(result.body, 'done');
    assert.equal(signal!.aborted, false);
    assert.throws(() => handle(app, { deadlineMargin: 'soon' as unknown as number }), /PORTICO_BAD_OPTION: "deadlineMargin"/);
  });
});
