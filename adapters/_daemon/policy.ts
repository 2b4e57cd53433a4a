/**
 * The numbers of daemon mode's worker lifecycle, as pure functions so they can be tested alone:
 * how long to wait before replacing a worker that died, when to give up, and how many requests
 * a worker serves before it is recycled.
 *
 * Run time only.
 */

/** A worker that dies sooner than this after it was started counts as a rapid death, ms. */
export const RAPID_DEATH_MS = 2_000;

/**
 * Workers in a row that die before they listen, with no worker serving, after which the
 * primary gives up (gunicorn halts on the first boot error; a few tries ride out a slow disk).
 */
export const GIVE_UP_AFTER = 5;

/** Longest wait before a respawn, ms. */
export const MAX_RESPAWN_DELAY_MS = 10_000;

/**
 * How long to wait before starting a worker in place of one that died, given how many died
 * rapidly in a row (this one included): none for a worker that served a while (a crash under
 * load must be refilled at once), then 100 ms doubling up to 10 s, so a worker that dies at
 * start does not spin.
 *
 * @example
 * respawnDelay(0); // 0
 * respawnDelay(3); // 400
 */
export function respawnDelay(rapidDeaths: number): number {
  if (rapidDeaths <= 0) return 0;
  return Math.min(MAX_RESPAWN_DELAY_MS, 100 * 2 ** (rapidDeaths - 1));
}

/**
 * The count of rapid deaths in a row after a worker that lived `livedMs` died: one more when it
 * died young, back to 0 when it had served a while.
 *
 * @example
 * nextRapidDeaths(2, 150); // 3
 * nextRapidDeaths(2, 60_000); // 0
 */
export function nextRapidDeaths(previous: number, livedMs: number): number {
  return livedMs < RAPID_DEATH_MS ? previous + 1 : 0;
}

/**
 * How many requests one worker serves before it asks to be replaced: `max` plus a whole number
 * drawn from 0 to `jitter` (gunicorn's max_requests_jitter), so workers started together do not
 * all recycle together. Infinity when `max` is 0 (never).
 *
 * @example
 * requestLimit(1000, 50, () => 0.5); // 1025
 * requestLimit(0, 50); // Infinity
 */
export function requestLimit(max: number, jitter: number, random: () => number = Math.random): number {
  if (max <= 0) return Infinity;
  return max + Math.floor(random() * (jitter + 1));
}
