/**
 * PostgreSQL connections lost under a request: the request fails with a clean error, nothing is
 * half-written (items and journal events agree), and the next request on the same core works.
 * Runs only with TEST_DATABASE_URL.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.ts';
import { newRequest, type RequestContext } from '../../src/core/context.ts';
import { createCore, type Core } from '../../src/core/core.ts';
import { openDatabase, queryRows, type Database } from '../../src/core/db/client.ts';
import { CHANGES_APPLICATION_NAME } from '../../src/core/db/changes.ts';
import { silentLogger } from '../../src/core/log.ts';
import { invokeTool, TOOLS_BY_NAME, type ToolOutcome } from '../../src/core/tools/invoke.ts';
import { sql } from 'drizzle-orm';
import { testPostgresUrl } from '../support/core.ts';
import { eventually, journalDisagreements, sleep } from '../support/faults.ts';

const POOL_SIZE = 4;

let postgres: { url: string; drop(): Promise<void> };
let database: Database;
let core: Core;
let admin: pg.Client;
let householdId: number;

const addItems = TOOLS_BY_NAME.get('add_items');
if (!addItems) throw new Error('add_items is not in the registry');

function request(): RequestContext {
  return newRequest(householdId, { door: 'mcp', name: 'assistant' });
}

/** Adds items; with `category` (a choice to learn) the add takes the locking path: a transaction of several statements. */
function add(names: string[], ctx = request(), category?: string): Promise<ToolOutcome> {
  return invokeTool(addItems!, { core, request: ctx }, { items: names.map((name) => ({ name, quantity: '1', ...(category ? { category } : {}) })) }, silentLogger());
}

/** A second connection holding a lock in an open transaction until `release()`. */
async function holdLock(statement: string): Promise<{ release(): Promise<void> }> {
  const locker = new pg.Client({ connectionString: postgres.url });
  await locker.connect();
  await locker.query('begin');
  await locker.query(statement);
  return {
    release: async () => {
      await locker.query('rollback');
      await locker.end();
    },
  };
}

/** Waits for a backend of the test database blocked on a lock, and returns its pid and statement. */
async function blockedBackend(): Promise<{ pid: number; query: string }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { rows } = await admin.query<{ pid: number; query: string }>(
      `select pid, query from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend' and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
    );
    if (rows.length > 1) throw new Error(`expected one blocked backend, found ${rows.length}`);
    if (rows[0]) return rows[0];
    await sleep(25);
  }
  throw new Error('no backend blocked on the lock');
}

/** The pool's connections: the test database's other backends but the change feed's. */
const POOL_BACKENDS = `datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid() and application_name <> '${CHANGES_APPLICATION_NAME}'`;

async function otherBackends(): Promise<number> {
  const { rows } = await admin.query<{ count: string }>(`select count(*) from pg_stat_activity where ${POOL_BACKENDS}`);
  return Number(rows[0]?.count);
}

async function counts(): Promise<{ items: number; events: number }> {
  const [row] = await queryRows<{ items: number; events: number }>(
    database.db,
    sql`select (select count(*)::int from items where household_id = ${householdId}) as items,
               (select count(*)::int from events where household_id = ${householdId}) as events`,
  );
  return { items: row?.items ?? -1, events: row?.events ?? -1 };
}

function expectCleanFailure(outcome: ToolOutcome): void {
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.code).toMatch(/^(internal|unavailable:database)$/);
  expect(outcome.error).toMatch(/nothing was changed/i);
  expect(outcome.error).not.toMatch(/\n\s+at |terminat|Client has encountered/);
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('PostgreSQL connection lost mid-request', () => {
  beforeAll(async () => {
    const url = await testPostgresUrl();
    if (!url) throw new Error('TEST_DATABASE_URL is set but no database was made');
    postgres = url;
    database = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: POOL_SIZE });
    core = createCore({ db: database.db, changes: database.changes, clock: createManualClock('2026-03-02T09:00:00Z') });
    admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    householdId = (await core.households.ensure('family')).id;
  });

  afterAll(async () => {
    await admin?.end();
    await database?.close();
    await postgres?.drop();
  });

  it.each([
    {
      where: 'in its one statement, waiting for the list row lock, before writing anything',
      lock: 'select id from lists for update',
      // A plain add is one statement that locks the list row first (drizzle/0005).
      blockedOn: /larder_add_items_at_once/i,
      category: undefined,
      midTransaction: false,
    },
    {
      where: 'in its one statement, waiting to write the journal events beside its items',
      lock: 'lock table events in exclusive mode',
      blockedOn: /larder_add_items_at_once/i,
      category: undefined,
      midTransaction: false,
    },
    {
      where: 'in a transaction, waiting for the list row lock, before writing anything',
      lock: 'select id from lists for update',
      // An add that learns a category locks the list row inside larder_lock_open_items (drizzle/0003).
      blockedOn: /larder_lock_open_items/i,
      category: 'Pantry',
      midTransaction: false,
    },
    {
      where: 'in a transaction, after inserting its items, waiting to write their journal events',
      lock: 'lock table events in exclusive mode',
      blockedOn: /insert into "events"/i,
      category: 'Pantry',
      midTransaction: true,
    },
  ])('a write whose connection is killed $where fails cleanly and leaves nothing', async ({ where, lock, blockedOn, category, midTransaction }) => {
    const before = await counts();
    const held = await holdLock(lock);
    let released = false;
    try {
      const ctx = request();
      const pending = add(['cut off one', 'cut off two', 'cut off three'], ctx, category);
      const blocked = await blockedBackend();
      expect(blocked.query).toMatch(blockedOn);
      if (midTransaction) {
        // The write is mid-transaction: its item rows are in, uncommitted.
        const { rows } = await admin.query<{ count: string }>(
          `select count(*) from pg_locks l join pg_class c on c.oid = l.relation
            where l.pid = $1 and c.relname = 'items' and l.mode = 'RowExclusiveLock' and l.granted`,
          [blocked.pid],
        );
        expect(rows[0]?.count).toBe('1');
      }
      const { rows: terminated } = await admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [blocked.pid]);
      expect(terminated[0]?.ok).toBe(true);
      await held.release();
      released = true;

      expectCleanFailure(await pending);
      expect(await counts()).toEqual(before);
      const { rows: events } = await admin.query('select id from events where request_id = $1', [ctx.requestId]);
      expect(events).toEqual([]);
      expect(await journalDisagreements(database.db, householdId)).toEqual([]);
    } finally {
      if (!released) await held.release();
    }

    // The next request on the same core works, and the journal still agrees.
    const next = await add([`after the cut ${where}`]);
    expect(next.ok, JSON.stringify(next)).toBe(true);
    expect(await counts()).toEqual({ items: before.items + 1, events: before.events + 1 });
    expect(await journalDisagreements(database.db, householdId)).toEqual([]);
  });

  it('recovers when every connection of the pool is terminated while idle', async () => {
    // Fill the pool with idle connections.
    await Promise.all(Array.from({ length: POOL_SIZE }, () => database.db.execute(sql`select pg_sleep(0.05)`)));
    expect(await otherBackends()).toBe(POOL_SIZE);
    const before = await counts();

    expect(await eventually(() => database.changes.live)).toBe(true);
    const { rows } = await admin.query<{ count: string }>(`select count(pg_terminate_backend(pid)) from pg_stat_activity where ${POOL_BACKENDS}`);
    expect(rows[0]?.count).toBe(String(POOL_SIZE));
    expect(await eventually(async () => (await otherBackends()) === 0)).toBe(true);
    // The change feed's connection goes too: until it listens again nothing is served from memory.
    const { rows: listener } = await admin.query<{ ok: boolean }>(
      `select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = current_database() and application_name = '${CHANGES_APPLICATION_NAME}'`,
    );
    expect(listener.map((row) => row.ok)).toEqual([true]);
    expect(await eventually(() => !database.changes.live)).toBe(true);
    expect(core.cache.caching).toBe(false);

    // The very next requests, more than the pool holds, all work on fresh connections.
    const outcomes = await Promise.all(Array.from({ length: POOL_SIZE * 2 }, (_, k) => add([`fresh ${k}`])));
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(await counts()).toEqual({ items: before.items + POOL_SIZE * 2, events: before.events + POOL_SIZE * 2 });
    expect(await journalDisagreements(database.db, householdId)).toEqual([]);
    // The feed reconnects on its own, and a change made elsewhere is heard again.
    expect(await eventually(() => database.changes.live && core.cache.caching)).toBe(true);
    const ctx = request();
    expect((await core.lists.all(ctx)).map((list) => list.name)).not.toContain('Heard');
    await admin.query(`insert into lists (household_id, name, kind, created_at, updated_at) values ($1, 'Heard', 'grocery', now(), now())`, [householdId]);
    expect(await eventually(async () => (await core.lists.all(ctx)).some((list) => list.name === 'Heard'))).toBe(true);
  });

  it('keeps each request all or nothing when every connection is terminated in the middle of a burst', async () => {
    const before = await counts();
    // Every write that gets a connection blocks after inserting its items; the rest wait for the pool.
    const held = await holdLock('lock table events in exclusive mode');
    let released = false;
    const burst = Array.from({ length: POOL_SIZE * 3 }, (_, k) => [`burst ${k} a`, `burst ${k} b`]);
    try {
      const pending = burst.map((names) => add(names));
      for (let attempt = 0; attempt < 200; attempt++) {
        const { rows } = await admin.query<{ count: string }>(
          `select count(*) from pg_stat_activity
            where datname = current_database() and backend_type = 'client backend' and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
        );
        if (Number(rows[0]?.count) >= POOL_SIZE) break;
        await sleep(25);
      }
      const { rows } = await admin.query<{ count: string }>(
        `select count(pg_terminate_backend(pid)) from pg_stat_activity
          where ${POOL_BACKENDS}
            and pid <> all(select pid from pg_locks where relation = 'events'::regclass and mode = 'ExclusiveLock' and granted)`,
      );
      expect(rows[0]?.count).toBe(String(POOL_SIZE));
      await held.release();
      released = true;

      const outcomes = await Promise.all(pending);
      const failed = outcomes.filter((outcome) => !outcome.ok);
      const succeeded = burst.filter((_, k) => outcomes[k]?.ok);
      // The ones cut off fail cleanly; the ones that were still waiting for a connection get a new one.
      expect(failed).toHaveLength(POOL_SIZE);
      for (const outcome of failed) expectCleanFailure(outcome);
      expect(succeeded).toHaveLength(burst.length - POOL_SIZE);

      const { rows: present } = await admin.query<{ name: string }>(`select name from items where name like 'burst %' order by name`);
      expect(present.map((row) => row.name)).toEqual(succeeded.flat().sort());
      expect(await counts()).toEqual({ items: before.items + succeeded.length * 2, events: before.events + succeeded.length * 2 });
      expect(await journalDisagreements(database.db, householdId)).toEqual([]);
    } finally {
      if (!released) await held.release();
    }
    const next = await add(['after the burst']);
    expect(next.ok, JSON.stringify(next)).toBe(true);
  });
});
