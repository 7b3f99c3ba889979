import type { ChangeFeed } from './changes.ts';

/**
 * Rows every request reads and few change (a token, a household's lists, categories and category
 * memory), kept in memory per household. A value is served only while the change feed is live,
 * and is forgotten when its household changes: by this process right after its own commit, by
 * any process through the feed.
 */
export interface ReadCache {
  /** Whether values are kept at all now (a live feed); when false every read goes to the database. */
  readonly caching: boolean;
  /** The household's value under `slot`, loaded by `load` when it is not kept. */
  get<T>(householdId: number, slot: string, load: () => Promise<T>): Promise<T>;
  /**
   * A value found by `key` whose household is known only once it is loaded (a token by its hash).
   * Null (not found) is never kept: a flood of unknown keys cannot fill the memory.
   */
  find<T extends { householdId: number }>(key: string, load: () => Promise<T | null>): Promise<T | null>;
  /** Forgets what is kept of one household, or of all of them (null). */
  forget(householdId: number | null): void;
}

export interface ReadCacheOptions {
  /** Where changes are heard; without one nothing is kept. */
  changes?: ChangeFeed | null;
  /** Households kept at most; the least recently loaded go first. */
  maxHouseholds?: number;
  /** Keys of `find` kept at most. */
  maxKeys?: number;
  /**
   * Longest a value is kept even without a change heard: a bound on the damage of a change made
   * with the triggers switched off. Default one minute.
   */
  maxAgeMs?: number;
  /** Monotonic milliseconds (tests move it). */
  now?: () => number;
}

interface Kept {
  value: unknown;
  loadedAt: number;
}

/** A read cache on `changes`; without a feed it keeps nothing and every read loads. */
export function createReadCache(options: ReadCacheOptions = {}): ReadCache {
  const changes = options.changes ?? null;
  const maxHouseholds = options.maxHouseholds ?? 1_000;
  const maxKeys = options.maxKeys ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? (() => performance.now());
  const households = new Map<number, Map<string, Kept>>();
  const byKey = new Map<string, Kept & { householdId: number }>();
  // Bumped by every change heard: a load that overlapped one may hold stale rows and is not kept.
  let changeCount = 0;
  let subscribed = false;

  function forget(householdId: number | null): void {
    changeCount++;
    if (householdId === null) {
      households.clear();
      byKey.clear();
      return;
    }
    households.delete(householdId);
    for (const [key, kept] of byKey) if (kept.householdId === householdId) byKey.delete(key);
  }

  /** Whether a value may be served or kept now; subscribes to the feed on first use. */
  function caching(): boolean {
    if (!changes) return false;
    if (!subscribed) {
      subscribed = true;
      changes.subscribe(forget);
    }
    return changes.live;
  }

  /**
   * The kept value while it is fresh; else `load`'s, given to `keep` unless a change was heard
   * while it loaded (it may predate the change) or the feed went down meanwhile.
   */
  async function through<T>(kept: Kept | undefined, load: () => Promise<T>, keep: (entry: Kept & { value: T }) => void): Promise<T> {
    if (!caching()) return load();
    if (kept !== undefined && now() - kept.loadedAt < maxAgeMs) return kept.value as T;
    const before = changeCount;
    const loadedAt = now();
    const value = await load();
    if (changeCount === before && caching()) keep({ value, loadedAt });
    return value;
  }

  /** Sets `key`, making room first by dropping the entry set longest ago when `map` holds `max`. */
  function bounded<K, V>(map: Map<K, V>, max: number, key: K, value: V): void {
    if (!map.has(key) && map.size >= max) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(key, value);
  }

  return {
    get caching() {
      return caching();
    },

    get: (householdId, slot, load) =>
      through(households.get(householdId)?.get(slot), load, (entry) => {
        // Every caller shares the kept array: one that sorted or pushed would change it for all.
        if (Array.isArray(entry.value)) Object.freeze(entry.value);
        const slots = households.get(householdId) ?? new Map<string, Kept>();
        bounded(households, maxHouseholds, householdId, slots);
        slots.set(slot, entry);
      }),

    find: (key, load) =>
      through(byKey.get(key), load, (entry) => {
        // A miss is never kept: a flood of unknown keys cannot fill the memory.
        if (entry.value !== null) bounded(byKey, maxKeys, key, { ...entry, householdId: entry.value.householdId });
      }),

    forget,
  };
}
