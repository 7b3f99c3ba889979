import { systemClock, type Clock } from './clock.ts';

/** The default number of MCP requests one token may make per minute (LARDER_MCP_RPM). */
export const DEFAULT_MCP_RPM = 120;

/** What the limiter says about one request. */
export type RateDecision =
  | { allowed: true; remaining: number }
  | {
      allowed: false;
      /** How long until one more request fits, in milliseconds (at least 1). */
      retryAfterMs: number;
      /** True for the first refusal after an allowed request: log that one, not every one of a flood. */
      first: boolean;
    };

/** A per-key request limiter; keys are token ids for MCP over HTTP. */
export interface RateLimiter {
  /** Counts one request for `key`, or refuses it (a refused request is not counted). */
  take(key: string): RateDecision;
  /** How many keys it currently remembers (never more than `maxKeys`). */
  readonly size: number;
}

export interface RateLimiterOptions {
  /** Requests allowed per key in any window. */
  limit: number;
  /** The window, in milliseconds: 60 000 for "per minute". */
  windowMs?: number;
  clock?: Clock;
  /** Keys remembered at most; idle ones are dropped first. Token ids are few, so this is a backstop. */
  maxKeys?: number;
}

interface Window {
  /** Start times of the requests inside the window, oldest first. */
  starts: number[];
  refused: boolean;
}

/**
 * A sliding-window limiter: at most `limit` requests per key in any `windowMs`, exactly (a
 * token bucket would let twice the limit through in a minute after an idle spell). It keeps
 * one timestamp per allowed request, so memory is `limit` numbers per active key.
 *
 * @example
 * const limiter = createRateLimiter({ limit: 120 });
 * const decision = limiter.take(String(tokenId));
 * if (!decision.allowed) reply429(Math.ceil(decision.retryAfterMs / 1000));
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const limit = options.limit;
  const windowMs = options.windowMs ?? 60_000;
  const clock = options.clock ?? systemClock;
  const maxKeys = options.maxKeys ?? 10_000;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number of 1 or more, got ${limit}`);
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
  const windows = new Map<string, Window>();

  function forget(now: number): void {
    for (const [key, window] of windows) {
      if ((window.starts.at(-1) ?? -Infinity) <= now - windowMs) windows.delete(key);
    }
    // Still full of busy keys: drop the oldest-created ones, making room for one, rather than grow without bound.
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    take(key) {
      const now = clock.now().getTime();
      let window = windows.get(key);
      if (!window) {
        if (windows.size >= maxKeys) forget(now);
        window = { starts: [], refused: false };
        windows.set(key, window);
      }
      const { starts } = window;
      while (starts.length > 0 && (starts[0] ?? 0) <= now - windowMs) starts.shift();
      if (starts.length < limit) {
        starts.push(now);
        window.refused = false;
        return { allowed: true, remaining: limit - starts.length };
      }
      // The oldest request in the window leaves it at starts[0] + windowMs; one more fits then.
      const retryAfterMs = Math.max(1, (starts[0] ?? now) + windowMs - now);
      const first = !window.refused;
      window.refused = true;
      return { allowed: false, retryAfterMs, first };
    },
    get size() {
      return windows.size;
    },
  };
}
