/**
 * The per-chat lock under the bot's middleware: `Database.advisoryLock` (PostgreSQL) and
 * `chatOrder`. Two database handles stand for two instances. The PostgreSQL part runs only with
 * TEST_DATABASE_URL; the key folding and the PGlite no-op run everywhere.
 */
import type { Context } from 'grammy';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_LOCK_NAMESPACE, chatLockKey, chatOrder } from '../../src/bot/middleware.ts';
import { openDatabase, queryRows, type Database } from '../../src/core/db/client.ts';
import { sql } from 'drizzle-orm';
import { testDatabase, testPostgresUrl } from '../support/core.ts';
import { sleep } from '../support/faults.ts';

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('chat lock keys and the no-lock case', () => {
  it('folds 64-bit chat ids into stable 32-bit keys', () => {
    const ids = [1, 42, 7_000_000_001, 7_000_000_002, -1001234567890, -1001234567891, -4_000_000_123, Number.MAX_SAFE_INTEGER];
    const keys = ids.map(chatLockKey);
    for (const key of keys) expect(Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31).toBe(true);
    expect(new Set(keys).size).toBe(ids.length);
    expect(ids.map(chatLockKey)).toEqual(keys);
  });

  it('is null on PGlite (one process owns it), and chatOrder then just runs the update', async () => {
    const database = await testDatabase();
    try {
      expect(database.advisoryLock === null).toBe(database.kind === 'pglite');
      let ran = 0;
      const ctx = { chat: { id: 5, type: 'private' } } as unknown as Context;
      await chatOrder(database.advisoryLock)(ctx, async () => {
        ran += 1;
      });
      expect(ran).toBe(1);
    } finally {
      await database.close();
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('the advisory lock across two database handles (PostgreSQL only: TEST_DATABASE_URL)', () => {
  let postgres: { url: string; drop(): Promise<void> };
  let first: Database;
  let second: Database;
  let admin: pg.Client;

  beforeAll(async () => {
    const made = await testPostgresUrl();
    if (!made) throw new Error('TEST_DATABASE_URL is set but no database was made');
    postgres = made;
    // One connection in the main pool: a lock taken from it would deadlock the first query below.
    first = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: 1 });
    second = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: 1 });
    admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.end();
    await first.close();
    await second.close();
    await postgres.drop();
  });

  const lockOf = (database: Database) => {
    if (!database.advisoryLock) throw new Error('PostgreSQL has an advisory lock');
    return database.advisoryLock;
  };

  /** Backends holding (granted) or waiting for the chat lock `key`. */
  async function lockHolders(key: number): Promise<Array<{ pid: number; granted: boolean }>> {
    const { rows } = await admin.query<{ pid: number; granted: boolean }>(
      `select pid, granted from pg_locks
        where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())
          and classid = $1 and objid = $2 and objsubid = 2`,
      // Two-int advisory keys are stored as oids: classid = namespace, objid = key (as unsigned).
      [CHAT_LOCK_NAMESPACE, key >>> 0],
    );
    return rows;
  }

  it('lets one holder at a time in, in the order they asked, while each still queries the main pool', async () => {
    const key = chatLockKey(1001);
    const entered: string[] = [];
    let inside = 0;
    let overlap = false;
    const run = (database: Database, name: string, hold: Promise<void> | null) =>
      lockOf(database)(CHAT_LOCK_NAMESPACE, key, async () => {
        inside += 1;
        if (inside > 1) overlap = true;
        entered.push(name);
        // The locked work uses the database's own pool, of one connection.
        await queryRows(database.db, sql`select 1 as one`);
        if (hold) await hold;
        await sleep(20);
        inside -= 1;
      });
    const gate = deferred();
    const holder = run(first, 'a1', gate.promise);
    await expect.poll(async () => (await lockHolders(key)).filter((row) => row.granted).length).toBe(1);
    // Each waiter asks once the previous one is waiting in PostgreSQL.
    const waiters: Array<Promise<void>> = [];
    for (const [database, name] of [
      [second, 'b1'],
      [first, 'a2'],
      [second, 'b2'],
      [first, 'a3'],
    ] as const) {
      const before = (await lockHolders(key)).length;
      waiters.push(run(database, name, null));
      await expect.poll(async () => (await lockHolders(key)).length).toBe(before + 1);
    }
    gate.resolve();
    await Promise.all([holder, ...waiters]);
    expect(entered).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
    expect(overlap).toBe(false);
    expect(await lockHolders(key)).toEqual([]);
  });

  it('releases the lock when the work throws', async () => {
    const key = chatLockKey(1002);
    await expect(
      lockOf(first)(CHAT_LOCK_NAMESPACE, key, async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await lockHolders(key)).toEqual([]);
    // The other instance gets it at once.
    const started = performance.now();
    await lockOf(second)(CHAT_LOCK_NAMESPACE, key, async () => undefined);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('gives up a wait longer than the lock wait limit, and the holder is not disturbed', async () => {
    const key = chatLockKey(1004);
    const impatient = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: 1, lockWaitMs: 200 });
    try {
      const gate = deferred();
      const holder = lockOf(first)(CHAT_LOCK_NAMESPACE, key, async () => {
        await gate.promise;
        return 'held';
      });
      await expect.poll(async () => (await lockHolders(key)).length).toBe(1);
      let ran = false;
      await expect(
        lockOf(impatient)(CHAT_LOCK_NAMESPACE, key, async () => {
          ran = true;
        }),
      ).rejects.toThrow(/lock timeout/);
      expect(ran).toBe(false);
      gate.resolve();
      await expect(holder).resolves.toBe('held');
      expect(await lockHolders(key)).toEqual([]);
    } finally {
      await impatient.close();
    }
  });

  it('frees the lock when its connection is killed, and the holder carries on', async () => {
    const key = chatLockKey(1003);
    const gate = deferred();
    const holder = lockOf(first)(CHAT_LOCK_NAMESPACE, key, async () => {
      await gate.promise;
      return 'finished';
    });
    await expect.poll(async () => (await lockHolders(key)).length).toBe(1);
    let waited = false;
    const waiter = lockOf(second)(CHAT_LOCK_NAMESPACE, key, async () => {
      waited = true;
    });
    await expect.poll(async () => (await lockHolders(key)).length).toBe(2);
    const [held] = (await lockHolders(key)).filter((row) => row.granted);
    await admin.query('select pg_terminate_backend($1)', [held?.pid]);
    // PostgreSQL drops the dead session's lock: the other instance goes ahead.
    await waiter;
    expect(waited).toBe(true);
    gate.resolve();
    // The holder's unlock fails on the dead connection; that is not the work's failure.
    await expect(holder).resolves.toBe('finished');
    // The broken connection was dropped, not pooled: the next lock works.
    await lockOf(first)(CHAT_LOCK_NAMESPACE, key, async () => undefined);
    expect(await lockHolders(key)).toEqual([]);
  });
});
