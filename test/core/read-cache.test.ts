import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequest, type RequestContext } from '../../src/core/context.ts';
import { createCore, type Core } from '../../src/core/core.ts';
import type { ChangeFeed, ChangeListener } from '../../src/core/db/changes.ts';
import { openDatabase, type Database } from '../../src/core/db/client.ts';
import { createReadCache } from '../../src/core/db/read-cache.ts';
import * as schema from '../../src/core/db/schema.ts';
import { testDatabase, testDatabaseKind, testPostgresUrl } from '../support/core.ts';
import { eventually } from '../support/faults.ts';

/** A feed the test drives by hand. */
function manualFeed(live = true): ChangeFeed & { live: boolean; hear: ChangeListener; subscribers: number } {
  const listeners = new Set<ChangeListener>();
  return {
    live,
    get subscribers() {
      return listeners.size;
    },
    hear: (householdId) => listeners.forEach((listener) => listener(householdId)),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close: () => Promise.resolve(),
  };
}

/** A loader that counts its calls and returns the call number. */
function counter(): { load: () => Promise<number>; readonly calls: number } {
  let calls = 0;
  return {
    load: () => Promise.resolve(++calls),
    get calls() {
      return calls;
    },
  };
}

describe('the read cache', () => {
  it('keeps nothing without a feed, or while its feed is not live', async () => {
    const none = createReadCache();
    const loads = counter();
    await none.get(1, 'lists', loads.load);
    await none.get(1, 'lists', loads.load);
    expect(loads.calls).toBe(2);
    expect(none.caching).toBe(false);

    const feed = manualFeed(false);
    const cache = createReadCache({ changes: feed });
    await cache.get(1, 'lists', loads.load);
    await cache.get(1, 'lists', loads.load);
    expect(loads.calls).toBe(4);
    feed.live = true;
    expect(await cache.get(1, 'lists', loads.load)).toBe(5);
    expect(await cache.get(1, 'lists', loads.load)).toBe(5);
    expect(loads.calls).toBe(5);
    // Down again: what was kept is not served, since changes are no longer heard.
    feed.live = false;
    expect(await cache.get(1, 'lists', loads.load)).toBe(6);
  });

  it('forgets one household on its change, and every household on a null', async () => {
    const feed = manualFeed();
    const cache = createReadCache({ changes: feed });
    const one = counter();
    const two = counter();
    await cache.get(1, 'lists', one.load);
    await cache.get(2, 'lists', two.load);
    expect(feed.subscribers).toBe(1);
    feed.hear(1);
    expect(await cache.get(1, 'lists', one.load)).toBe(2);
    expect(await cache.get(2, 'lists', two.load)).toBe(1);
    feed.hear(null);
    expect(await cache.get(1, 'lists', one.load)).toBe(3);
    expect(await cache.get(2, 'lists', two.load)).toBe(2);
    cache.forget(2);
    expect(await cache.get(2, 'lists', two.load)).toBe(3);
  });

  it('does not keep a value whose load overlapped a change: it may predate the change', async () => {
    const feed = manualFeed();
    const cache = createReadCache({ changes: feed });
    let release = () => undefined as void;
    const slow = cache.get(1, 'lists', () => new Promise<string>((resolve) => (release = () => resolve('old'))));
    feed.hear(1);
    release();
    expect(await slow).toBe('old');
    expect(await cache.get(1, 'lists', () => Promise.resolve('new'))).toBe('new');
    expect(await cache.get(1, 'lists', () => Promise.resolve('newer'))).toBe('new');
  });

  it('hands every caller the same kept array, frozen, so no caller can change it for the others', async () => {
    const cache = createReadCache({ changes: manualFeed() });
    const first = await cache.get(1, 'lists', () => Promise.resolve([{ name: 'b' }, { name: 'a' }]));
    const second = await cache.get(1, 'lists', () => Promise.resolve<Array<{ name: string }>>([]));
    expect(second).toBe(first);
    expect(() => first.sort((x, y) => x.name.localeCompare(y.name))).toThrow(TypeError);
    expect(second.map((list) => list.name)).toEqual(['b', 'a']);
  });

  it('finds by key, never keeps a miss, and drops the key with its household', async () => {
    const feed = manualFeed();
    const cache = createReadCache({ changes: feed });
    let found: { householdId: number; n: number } | null = null;
    let loads = 0;
    const load = () => {
      loads++;
      return Promise.resolve(found);
    };
    expect(await cache.find('token:a', load)).toBeNull();
    expect(await cache.find('token:a', load)).toBeNull();
    expect(loads).toBe(2);
    found = { householdId: 7, n: 1 };
    expect(await cache.find('token:a', load)).toEqual({ householdId: 7, n: 1 });
    found = { householdId: 7, n: 2 };
    expect(await cache.find('token:a', load)).toEqual({ householdId: 7, n: 1 });
    feed.hear(8);
    expect(await cache.find('token:a', load)).toEqual({ householdId: 7, n: 1 });
    feed.hear(7);
    expect(await cache.find('token:a', load)).toEqual({ householdId: 7, n: 2 });
    expect(loads).toBe(4);
  });

  it('reloads a value older than its longest age, and keeps a bounded number of households', async () => {
    let now = 0;
    const cache = createReadCache({ changes: manualFeed(), maxAgeMs: 1_000, maxHouseholds: 2, now: () => now });
    const loads = counter();
    await cache.get(1, 'lists', loads.load);
    now = 999;
    expect(await cache.get(1, 'lists', loads.load)).toBe(1);
    now = 1_000;
    expect(await cache.get(1, 'lists', loads.load)).toBe(2);

    const two = counter();
    const three = counter();
    await cache.get(2, 'lists', two.load);
    await cache.get(3, 'lists', three.load);
    // Household 1, the oldest kept, made room for 3.
    expect(await cache.get(1, 'lists', loads.load)).toBe(3);
    expect(await cache.get(3, 'lists', three.load)).toBe(1);
  });
});

/**
 * Two instances on one database: on PostgreSQL two connections pools (as two `larder serve`
 * processes have), on PGlite two cores on the one database its single process owns.
 */
describe(`two instances keeping rows in memory (${testDatabaseKind})`, () => {
  let first: Database;
  let second: Database;
  let drop = () => Promise.resolve();
  let a: Core;
  let b: Core;
  let ctx: RequestContext;
  /** A new request (its own undo unit) in the household. */
  const next = () => newRequest(ctx.householdId, ctx.actor);

  beforeAll(async () => {
    const postgres = await testPostgresUrl();
    if (postgres) {
      first = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: 4 });
      second = await openDatabase({ kind: 'postgres', url: postgres.url, poolSize: 4 });
      drop = () => postgres.drop();
    } else {
      first = await testDatabase();
      second = first;
    }
    a = createCore({ db: first.db, changes: first.changes });
    b = createCore({ db: second.db, changes: second.changes });
    ctx = newRequest((await a.households.ensure('two instances')).id, { door: 'mcp', name: 'assistant' });
    // Both instances listen before the test reads anything.
    await b.lists.all(ctx);
    expect(await eventually(() => Promise.resolve(b.cache.caching && a.cache.caching))).toBe(true);
  });

  afterAll(async () => {
    await first.close();
    if (second !== first) await second.close();
    await drop();
  });

  it('serves a token from memory, and refuses it on every instance once revoked', async () => {
    const { token, info } = await a.tokens.create(ctx.householdId, 'two instances');
    expect(await b.tokens.verify(token)).toEqual({ householdId: ctx.householdId, tokenId: info.id });
    // Gone behind the triggers' back (they are off for this one statement): still served from memory.
    await first.db.transaction(async (tx) => {
      await tx.execute(sql`alter table api_tokens disable trigger api_tokens_notify_household`);
      await tx.update(schema.apiTokens).set({ revokedAt: new Date() }).where(eq(schema.apiTokens.id, info.id));
      await tx.execute(sql`alter table api_tokens enable trigger api_tokens_notify_household`);
    });
    expect(await b.tokens.verify(token)).not.toBeNull();
    await first.db.update(schema.apiTokens).set({ revokedAt: null }).where(eq(schema.apiTokens.id, info.id));

    await a.tokens.revoke(info.prefix);
    // The instance that revoked it refuses it at once; the other once it hears the change.
    expect(await a.tokens.verify(token)).toBeNull();
    expect(await eventually(async () => (await b.tokens.verify(token)) === null)).toBe(true);
  });

  it("hears another instance's new list, category and learned category", async () => {
    const names = async () => (await b.lists.all(ctx)).map((list) => list.name);
    expect(await names()).not.toContain('Costco');
    await a.lists.create(next(), { name: 'Costco' });
    expect(await eventually(async () => (await names()).includes('Costco'))).toBe(true);
    await expect(b.lists.get(ctx, { list: 'costco' })).resolves.toMatchObject({ list: { name: 'Costco' } });

    const categoryNames = async () => (await b.categories.list(ctx.householdId)).map((category) => category.name);
    expect(await categoryNames()).not.toContain('Party');
    await a.categories.create(next(), 'Party');
    expect(await eventually(async () => (await categoryNames()).includes('Party'))).toBe(true);

    const choice = async () => (await b.categories.categorize(ctx.householdId, ['sparklers'])).get('sparkler')?.category;
    expect(await choice()).toBe('Other');
    await a.lists.add(next(), { items: [{ name: 'sparklers', category: 'Party' }] });
    expect(await eventually(async () => (await choice()) === 'Party')).toBe(true);
  });

  it('reads its own writes at once, with no wait for the feed', async () => {
    for (let round = 0; round < 5; round++) {
      await a.lists.all(ctx);
      await a.lists.create(next(), { name: `Own ${round}` });
      expect((await a.lists.all(ctx)).map((list) => list.name)).toContain(`Own ${round}`);
      await a.categories.list(ctx.householdId);
      await a.categories.create(next(), `Own ${round}`);
      expect((await a.categories.list(ctx.householdId)).map((category) => category.name)).toContain(`Own ${round}`);
      const undone = await a.journal.undo(next());
      expect(undone.summary).toContain(`Own ${round}`);
      expect((await a.categories.list(ctx.householdId)).map((category) => category.name)).not.toContain(`Own ${round}`);
    }
  });

  it('hears a change written by hand in another session', async () => {
    const names = async () => (await b.lists.all(ctx)).map((list) => list.name);
    expect(await names()).not.toContain('By hand');
    await first.db.insert(schema.lists).values({ householdId: ctx.householdId, name: 'By hand', kind: 'grocery', createdAt: new Date(), updatedAt: new Date() });
    expect(await eventually(async () => (await names()).includes('By hand'))).toBe(true);
  });
});
