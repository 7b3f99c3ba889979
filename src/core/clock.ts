/** Where services read the time from, so tests can move it. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved; for tests and simulations. */
export interface ManualClock extends Clock {
  set(time: Date | string): void;
  advance(ms: number): void;
}

/** Creates a clock that starts at `start` and only moves when told to. */
export function createManualClock(start: Date | string = '2026-01-05T09:00:00Z'): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (time) => {
      current = new Date(time).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
