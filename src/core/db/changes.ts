import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/** The channel drizzle/0004's triggers notify: the payload is the id of the household whose rows changed. */
export const HOUSEHOLD_CHANGES_CHANNEL = 'larder_household_changed';
/** The listening connection's application_name, so operators (and tests) can tell it from the pool's in pg_stat_activity. */
export const CHANGES_APPLICATION_NAME = 'larder changes';

/** Called with the household whose cached rows changed; null when anything may have changed (the feed was down). */
export type ChangeListener = (householdId: number | null) => void;

/**
 * The changes other sessions commit to what an instance keeps in memory, heard through
 * PostgreSQL's LISTEN/NOTIFY (drizzle/0004). A cache may serve a value only while `live`: a
 * feed that is not listening cannot tell it the value went stale.
 */
export interface ChangeFeed {
  /** True while every committed change is being heard. */
  readonly live: boolean;
  /** Starts listening on first use; returns a function that stops this listener. */
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}

/** A household id from a notification's payload; anything else means "anything may have changed". */
function householdOf(payload: string | undefined): number | null {
  const id = Number(payload);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** Fans one source of notifications out to listeners; `start` runs once, on the first subscription. */
function fanOut(start: (emit: ChangeListener) => void): { subscribe: (listener: ChangeListener) => () => void } {
  const listeners = new Set<ChangeListener>();
  let started = false;
  const emit: ChangeListener = (householdId) => {
    for (const listener of listeners) listener(householdId);
  };
  return {
    subscribe: (listener) => {
      listeners.add(listener);
      if (!started) {
        started = true;
        start(emit);
      }
      return () => void listeners.delete(listener);
    },
  };
}

/**
 * PGlite: one process owns the database, and PGlite hands a notification to its listeners while
 * the statement that committed it returns, so a change is heard before its writer goes on.
 */
export function pgliteChangeFeed(client: PGlite): ChangeFeed {
  let live = false;
  let unlisten: (() => Promise<void>) | null = null;
  const feed = fanOut((emit) => {
    client
      .listen(HOUSEHOLD_CHANGES_CHANNEL, (payload) => emit(householdOf(payload)))
      .then((stop) => {
        unlisten = stop;
        live = true;
      })
      // A closed database: nothing to hear, and nothing is served from a cache.
      .catch(() => undefined);
  });
  return {
    get live() {
      return live;
    },
    subscribe: feed.subscribe,
    close: async () => {
      live = false;
      if (unlisten && !client.closed) await unlisten().catch(() => undefined);
    },
  };
}

/** How long a lost listening connection waits before reconnecting: doubling from the first to the last. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_LAST_MS = 5_000;

/**
 * PostgreSQL: one connection of its own per process runs LISTEN. While it is down the feed is not
 * live (caches load every value from the database); once it is back, listeners hear `null`, since
 * changes made meanwhile went unheard.
 */
export function pgChangeFeed(options: { connect: () => pg.Client; onError?: (error: unknown) => void }): ChangeFeed {
  let live = false;
  let closed = false;
  let client: pg.Client | null = null;
  let retryMs = RECONNECT_FIRST_MS;
  let retry: NodeJS.Timeout | null = null;

  const feed = fanOut((emit) => void listen(emit));

  async function listen(emit: ChangeListener): Promise<void> {
    retry = null;
    if (closed) return;
    const connection = options.connect();
    let lost = false;
    const down = (error?: unknown) => {
      if (lost) return;
      lost = true;
      if (error !== undefined) options.onError?.(error);
      if (client === connection) {
        client = null;
        live = false;
        emit(null);
      }
      connection.end().catch(() => undefined);
      if (!closed) {
        retry = setTimeout(() => void listen(emit), retryMs);
        retry.unref();
        retryMs = Math.min(retryMs * 2, RECONNECT_LAST_MS);
      }
    };
    connection.on('error', down);
    connection.on('end', () => down());
    connection.on('notification', (message) => {
      if (message.channel === HOUSEHOLD_CHANGES_CHANNEL) emit(householdOf(message.payload));
    });
    try {
      await connection.connect();
      await connection.query(`listen ${HOUSEHOLD_CHANGES_CHANNEL}`);
    } catch (error) {
      down(error);
      return;
    }
    if (lost) return;
    if (closed) {
      await connection.end().catch(() => undefined);
      return;
    }
    client = connection;
    retryMs = RECONNECT_FIRST_MS;
    // Anything cached before this connection listened may have changed unheard.
    emit(null);
    live = true;
  }

  return {
    get live() {
      return live;
    },
    subscribe: feed.subscribe,
    close: async () => {
      closed = true;
      live = false;
      if (retry) clearTimeout(retry);
      const connection = client;
      client = null;
      if (connection) await connection.end().catch(() => undefined);
    },
  };
}
