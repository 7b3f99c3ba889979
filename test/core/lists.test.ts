import { eq, sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchPg, watchPglite } from '../../bench/support/statements.ts';
import { isLarderError } from '../../src/core/errors.ts';
import { queryRows } from '../../src/core/db/client.ts';
import * as schema from '../../src/core/db/schema.ts';
import { pgCode } from '../../src/core/services/journal.ts';
import { again, testCore, testDatabaseKind, type TestCore } from '../support/core.ts';
import { eventually } from '../support/faults.ts';

let t: TestCore;
beforeAll(async () => {
  t = await testCore();
});
afterAll(async () => {
  await t.close();
});

/** Everything a household has, to prove a failed request changed nothing. */
async function stateOf(): Promise<unknown> {
  const db = t.core.db;
  const [lists, items, pantry, events, memory] = await Promise.all([
    db.select().from(schema.lists),
    db.select().from(schema.items),
    db.select().from(schema.pantryItems),
    db.select().from(schema.events),
    db.select().from(schema.categoryMemory),
  ]);
  const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
  return { lists: lists.sort(byId), items: items.sort(byId), pantry: pantry.sort(byId), events: events.length, memory: memory.sort(byId) };
}

async function expectRejectedWithoutChange(attempt: () => Promise<unknown>, code: string) {
  const before = await stateOf();
  const error = await attempt().then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(isLarderError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
  expect(await stateOf()).toEqual(before);
}

describe('lists and items', () => {
  it('gives a new household one empty default grocery list called Shopping', async () => {
    const ctx = await t.household('fresh');
    const { list, items } = await t.core.lists.get(ctx);
    expect(list).toMatchObject({ name: 'Shopping', kind: 'grocery', isDefault: true, store: null });
    expect(items).toEqual([]);
    const all = await t.core.lists.all(ctx);
    expect(all).toHaveLength(1);
  });

  it('adds items with parsed quantities and catalog categories', async () => {
    const ctx = await t.household('add');
    const result = await t.core.lists.add(ctx, { items: [{ name: 'Milk', quantity: '1 l' }, { name: 'eggs', quantity: 'a dozen' }, { name: 'bread' }] });
    expect(result.list.name).toBe('Shopping');
    expect(result.items.map((entry) => [entry.item.name, entry.item.quantity, entry.item.category, entry.action])).toEqual([
      ['Milk', '1 l', 'Dairy & Eggs', 'added'],
      ['eggs', '12', 'Dairy & Eggs', 'added'],
      ['bread', null, 'Bakery', 'added'],
    ]);
    expect(result.items[0]?.item).toMatchObject({ key: 'milk', amount: 1, unit: 'l', addedBy: 'tester', checked: false });
  });

  it('merges an unchecked item added again, unit-aware', async () => {
    const ctx = await t.household('merge');
    await t.core.lists.add(ctx, { items: [{ name: 'milk', quantity: '1 l' }] });
    const second = await t.core.lists.add(again(ctx), { items: [{ name: 'Milk', quantity: '500 ml' }] });
    expect(second.items[0]).toMatchObject({ action: 'merged', previousQuantity: '1 l', item: { quantity: '1.5 l', amount: 1.5, unit: 'l' } });
    await t.core.lists.add(again(ctx), { items: [{ name: 'apples', quantity: '2' }] });
    await t.core.lists.add(again(ctx), { items: [{ name: 'apple', quantity: '3' }] });
    await t.core.lists.add(again(ctx), { items: [{ name: 'water', quantity: '2 bottles' }] });
    await t.core.lists.add(again(ctx), { items: [{ name: 'water', quantity: '1 kg' }] });
    const { items } = await t.core.lists.get(ctx);
    expect(items.map((item) => [item.key, item.quantity])).toEqual(
      expect.arrayContaining([
        ['milk', '1.5 l'],
        ['apple', '5'],
        ['water', '2 bottles + 1 kg'],
      ]),
    );
    expect(items).toHaveLength(3);
  });

  it('groups the list in aisle order', async () => {
    const ctx = await t.household('aisles');
    await t.core.lists.add(ctx, { items: ['toothpaste', 'milk', 'apples', 'frozen peas', 'bread'].map((name) => ({ name })) });
    const { items } = await t.core.lists.get(ctx);
    expect(items.map((item) => item.category)).toEqual(['Produce', 'Dairy & Eggs', 'Bakery', 'Frozen', 'Personal Care']);
  });

  it('adds to a list named by its name or store, and refuses an unknown list without changing anything', async () => {
    const ctx = await t.household('stores');
    await t.core.lists.create(ctx, { name: 'Costco', store: 'Costco' });
    await t.core.lists.create(again(ctx), { name: 'Weekend', store: 'Aldi' });
    expect((await t.core.lists.add(again(ctx), { list: 'costco', items: [{ name: 'rice' }] })).list.name).toBe('Costco');
    expect((await t.core.lists.add(again(ctx), { list: 'the aldi list', items: [{ name: 'rice' }] })).list.name).toBe('Weekend');
    expect((await t.core.lists.add(again(ctx), { list: 'groceries', items: [{ name: 'rice' }] })).list.name).toBe('Shopping');
    await expectRejectedWithoutChange(() => t.core.lists.add(again(ctx), { list: 'lidl', items: [{ name: 'milk' }] }), 'not_found:list');
    await expectRejectedWithoutChange(() => t.core.lists.create(again(ctx), { name: 'costco' }), 'conflict:list');
  });

  it('rejects bad input with a typed error and changes nothing', async () => {
    const ctx = await t.household('bad');
    await t.core.lists.add(ctx, { items: [{ name: 'milk', quantity: '1 l' }] });
    const attempts: Array<[() => Promise<unknown>, string]> = [
      [() => t.core.lists.add(again(ctx), { items: [{ name: '' }] }), 'invalid:name'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: '   ' }] }), 'invalid:name'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'x'.repeat(10_240) }] }), 'invalid:name'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'x'.repeat(201) }] }), 'invalid:name'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'milk', quantity: '-2' }] }), 'invalid:quantity'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'milk', quantity: '0' }] }), 'invalid:quantity'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'milk', quantity: 'abc kg' }] }), 'invalid:quantity'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'bread' }, { name: 'milk', quantity: '1/0' }] }), 'invalid:quantity'],
      [() => t.core.lists.add(again(ctx), { items: [] }), 'invalid:items'],
      [() => t.core.lists.add(again(ctx), { items: Array.from({ length: 101 }, (_, i) => ({ name: `thing ${i}` })) }), 'invalid:items'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'milk', category: 'Spaceships' }] }), 'invalid:category'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'milk', note: 'n'.repeat(501) }] }), 'invalid:note'],
      [() => t.core.lists.add(again(ctx), { items: [{ name: 'bad\u0000name' }] }), 'invalid:name'],
      [() => t.core.lists.remove(again(ctx), { items: ['caviar'] }), 'not_found:item'],
      [() => t.core.lists.check(again(ctx), { items: ['caviar'] }), 'not_found:item'],
    ];
    for (const [attempt, code] of attempts) await expectRejectedWithoutChange(attempt, code);
    expect((await t.core.lists.get(ctx)).items.map((item) => item.quantity)).toEqual(['1 l']);
  });

  it('removes items by what people call them and asks when a name is ambiguous', async () => {
    const ctx = await t.household('remove');
    await t.core.lists.add(ctx, { items: [{ name: 'greek yogurt' }, { name: 'cheddar cheese' }, { name: 'goat cheese' }, { name: 'pears' }] });
    const removed = await t.core.lists.remove(again(ctx), { items: ['the yogurt', 'pear', 'caviar'] });
    expect(removed.items.map((item) => item.name)).toEqual(['greek yogurt', 'pears']);
    expect(removed.notFound).toEqual(['caviar']);
    const ambiguous = await t.core.lists.remove(again(ctx), { items: ['cheese'] }).catch((error: unknown) => error);
    expect(isLarderError(ambiguous, 'ambiguous:item')).toBe(true);
    expect((ambiguous as { details: { candidates: string[] } }).details.candidates.sort()).toEqual(['cheddar cheese', 'goat cheese']);
  });

  it('ticks items off into the pantry, remembers the store, and clears ticked items', async () => {
    const ctx = await t.household('tick');
    await t.core.lists.create(ctx, { name: 'Costco', store: 'Costco' });
    await t.core.lists.add(again(ctx), { list: 'costco', items: [{ name: 'rice', quantity: '5 kg' }, { name: 'olive oil', quantity: '1 l' }] });
    const checked = await t.core.lists.check(again(ctx), { list: 'costco', items: ['rice'] });
    expect(checked.items.map((item) => [item.name, item.checked])).toEqual([['rice', true]]);
    expect(checked.stocked).toEqual([expect.objectContaining({ name: 'rice', amount: 5, unit: 'kg', status: 'have', preferredStore: 'Costco', category: 'Pantry' })]);
    // Buying more of what the pantry holds adds up.
    await t.core.lists.add(again(ctx), { list: 'costco', items: [{ name: 'rice', quantity: '500 g' }] });
    const more = await t.core.lists.check(again(ctx), { list: 'costco', items: ['rice'] });
    expect(more.stocked[0]).toMatchObject({ amount: 5.5, unit: 'kg' });
    const unchecked = await t.core.lists.check(again(ctx), { list: 'costco', items: ['olive oil'], checked: true });
    expect(unchecked.items[0]?.checked).toBe(true);
    const back = await t.core.lists.check(again(ctx), { list: 'costco', items: ['olive oil'], checked: false });
    expect(back.items[0]?.checked).toBe(false);
    const cleared = await t.core.lists.clearChecked(again(ctx), { list: 'costco' });
    expect(cleared.items.map((item) => item.name)).toEqual(['rice', 'rice']);
    expect((await t.core.lists.get(ctx, { list: 'costco' })).items.map((item) => item.name)).toEqual(['olive oil']);
  });

  it('learns a category the user sets and never lets a later guess override it', async () => {
    const ctx = await t.household('learn');
    await t.core.lists.add(ctx, { items: [{ name: 'oat milk' }] });
    const moved = await t.core.lists.setCategory(again(ctx), { name: 'oat milk', category: 'beverages' });
    expect(moved).toMatchObject({ category: 'Beverages', items: [expect.objectContaining({ name: 'oat milk', category: 'Beverages' })] });
    await t.core.lists.check(again(ctx), { items: ['oat milk'] });
    const next = await t.core.lists.add(again(ctx), { items: [{ name: 'Oat Milk' }] });
    expect(next.items[0]).toMatchObject({ categorySource: 'user', item: { category: 'Beverages' } });
    const explicit = await t.core.lists.add(again(ctx), { items: [{ name: 'kimchi', category: 'Dairy' }] });
    expect(explicit.items[0]?.item.category).toBe('Dairy & Eggs');
    const categorized = await t.core.categories.categorize(ctx.householdId, ['kimchi', 'xylophone wax']);
    expect(categorized.get('kimchi')).toMatchObject({ category: 'Dairy & Eggs', source: 'user' });
    expect(categorized.get('xylophone wax')).toMatchObject({ category: 'Other', source: 'default' });
  });

  it('previews with dry_run exactly what a change would do, changing nothing', async () => {
    const ctx = await t.household('dry');
    await t.core.lists.add(ctx, { items: [{ name: 'milk', quantity: '1 l' }] });
    const before = await stateOf();
    const preview = await t.core.lists.add(again(ctx), { items: [{ name: 'milk', quantity: '1 l' }, { name: 'tea' }], dryRun: true });
    expect(preview.dryRun).toBe(true);
    expect(preview.items.map((entry) => [entry.item.name, entry.item.quantity, entry.action])).toEqual([
      ['milk', '2 l', 'merged'],
      ['tea', null, 'added'],
    ]);
    const removal = await t.core.lists.remove(again(ctx), { items: ['milk'], dryRun: true });
    expect(removal.items.map((item) => item.name)).toEqual(['milk']);
    expect(await stateOf()).toEqual(before);
  });

  it('adds tasks with a due time to a task list created on first use', async () => {
    const ctx = await t.household('tasks');
    const due = new Date('2026-03-03T08:00:00Z');
    const { list, item } = await t.core.lists.addTask(ctx, { title: 'call the plumber', due });
    expect(list).toMatchObject({ name: 'Tasks', kind: 'task' });
    expect(item).toMatchObject({ name: 'call the plumber', dueAt: due.toISOString(), remindAt: due.toISOString() });
    await t.core.lists.addTask(again(ctx), { title: 'pay rent' });
    expect((await t.core.lists.all(ctx)).map((entry) => [entry.name, entry.open])).toEqual([
      ['Shopping', 0],
      ['Tasks', 2],
    ]);
    await expectRejectedWithoutChange(() => t.core.lists.add(again(ctx), { list: 'tasks', items: [{ name: 'milk' }] }), 'invalid:list');
  });

  it('makes one task list when the first tasks of a household arrive at once', async () => {
    const ctx = await t.household('first tasks');
    const titles = Array.from({ length: 8 }, (_, k) => `task ${k}`);
    const added = await Promise.all(titles.map((title) => t.core.lists.addTask(again(ctx), { title })));
    expect(new Set(added.map((result) => result.list.id)).size).toBe(1);
    expect((await t.core.lists.all(ctx)).map((entry) => [entry.name, entry.open])).toEqual([
      ['Shopping', 0],
      ['Tasks', 8],
    ]);
  });

  it('loses no update when 50 adds of the same item race', async () => {
    const ctx = await t.household('race');
    await Promise.all(Array.from({ length: 50 }, () => t.core.lists.add(again(ctx), { items: [{ name: 'eggs', quantity: '1' }] })));
    const { items } = await t.core.lists.get(ctx);
    expect(items.map((item) => [item.name, item.quantity])).toEqual([['eggs', '50']]);
    const litres = await t.household('race-units');
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.core.lists.add(again(litres), { items: [{ name: 'milk', quantity: i % 2 === 0 ? '1 l' : '500 ml' }] })),
    );
    expect((await t.core.lists.get(litres)).items.map((item) => item.quantity)).toEqual(['37.5 l']);
  });

  it('loses no update when one-statement adds and transactional adds of one item race', async () => {
    const ctx = await t.household('race-mixed');
    // Naming a category sends an add through the locking transaction; a plain add is one statement.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => t.core.lists.add(again(ctx), { items: [{ name: 'flour', quantity: '1', ...(i % 2 === 1 ? { category: 'Pantry' } : {}) }] })),
    );
    const { items } = await t.core.lists.get(ctx);
    expect(items.map((item) => [item.name, item.quantity, item.category])).toEqual([['flour', '40', 'Pantry']]);
    const events = await t.core.db.select().from(schema.events).where(eq(schema.events.householdId, ctx.householdId));
    expect(events.filter((event) => event.kind === 'item.add')).toHaveLength(1);
    expect(events.filter((event) => event.kind === 'item.merge')).toHaveLength(39);
  });
});

describe('adding in one statement', () => {
  /** The statements sent while `work` runs, BEGIN and COMMIT included. */
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    const sent: string[] = [];
    let watching = true;
    const seen = (statement: { text: string }) => void (watching && sent.push(statement.text.trim().replace(/\s+/g, ' ')));
    let stop = () => undefined as void;
    if (testDatabaseKind === 'postgres') stop = watchPg(seen);
    else watchPglite(t.database, seen);
    try {
      await work();
    } finally {
      watching = false;
      stop();
    }
    return sent;
  }


  it('reads then writes items and journal events in one statement, however many items', async () => {
    const ctx = await t.household('one statement');
    // The household's lists and categories are read once, then kept (src/core/db/read-cache.ts)
    // once the change feed listens.
    // On PostgreSQL the notices of the household's creation may still be on their way: warm up until they are in.
    expect(await eventually(() => t.core.cache.caching)).toBe(true);
    await eventually(async () => (await statementsOf(() => t.core.lists.add(again(ctx), { items: [{ name: 'warm-up' }] }))).length === 2, { timeoutMs: 1_000 });
    for (const count of [1, 10, 100]) {
      const names = Array.from({ length: count }, (_, i) => ({ name: `thing ${count}-${i}`, quantity: '2' }));
      const adding = await statementsOf(() => t.core.lists.add(again(ctx), { items: names }));
      expect(adding, adding.join(" | ")).toHaveLength(2);
      expect(adding[1]).toMatch(/larder_add_items_at_once/);
      const merging = await statementsOf(() => t.core.lists.add(again(ctx), { items: names }));
      expect(merging).toHaveLength(2);
    }
    const { items } = await t.core.lists.get(ctx);
    expect(items).toHaveLength(112);
    expect(new Set(items.filter((item) => item.name !== 'warm-up').map((item) => item.quantity))).toEqual(new Set(['4']));
  });

  it('journals a one-statement add as the transaction would, and undo puts it back', async () => {
    const ctx = await t.household('one statement undo');
    await t.core.lists.add(again(ctx), { items: [{ name: 'milk', quantity: '1 l', note: 'oat' }] });
    const merge = again(ctx);
    const result = await t.core.lists.add(merge, { items: [{ name: 'milk', quantity: '500 ml' }, { name: 'eggs', quantity: '6' }] });
    expect(result.items.map((entry) => [entry.item.name, entry.action, entry.item.quantity, entry.previousQuantity, entry.item.category])).toEqual([
      ['milk', 'merged', '1.5 l', '1 l', 'Dairy & Eggs'],
      ['eggs', 'added', '6', null, 'Dairy & Eggs'],
    ]);
    const history = await t.core.journal.history(ctx);
    expect(history.slice(0, 2).map((event) => [event.kind, event.summary, event.requestId])).toEqual([
      ['item.add', 'added eggs (6) to Shopping', merge.requestId],
      ['item.merge', 'milk on Shopping: 1 l → 1.5 l', merge.requestId],
    ]);
    const [row] = await t.core.db.select().from(schema.events).where(eq(schema.events.id, history[1]!.id));
    expect(row?.before).toMatchObject({ name: 'milk', quantity: '1 l', note: 'oat' });
    expect(row?.after).toMatchObject({ name: 'milk', quantity: '1.5 l', amount: 1.5, unit: 'l', note: 'oat' });
    await t.core.journal.undo(again(ctx));
    expect((await t.core.lists.get(ctx)).items.map((item) => [item.name, item.quantity])).toEqual([['milk', '1 l']]);
  });

  it('writes nothing when a merged row changed since it was read, or a new key is already open', async () => {
    const ctx = await t.household('one statement stale');
    const { items } = await t.core.lists.add(again(ctx), { items: [{ name: 'rice', quantity: '1 kg' }] });
    const rice = items[0]!.item;
    const list = await t.core.lists.resolve(ctx.householdId, null);
    const before = await stateOf();
    const call = (merges: unknown[], inserts: unknown[]) =>
      queryRows(
        t.core.db,
        sql`select * from larder_add_items_at_once(${list.id}::bigint, ${ctx.householdId}::bigint, ${JSON.stringify(merges)}::jsonb, ${JSON.stringify(inserts)}::jsonb,
              ${JSON.stringify([{ position: 0, key: 'rice', kind: 'item.merge', summary: 'stale', before: null }])}::jsonb, ${again(ctx).requestId}::uuid, 'cli', 'tester', now())`,
      ).then(
        () => 'written',
        (error: unknown) => pgCode(error),
      );
    const [{ version } = { version: '' }] = await queryRows<{ version: string }>(t.core.db, sql`select xmin::text as version from items where id = ${rice.id}`);
    const stale = String(Number(version) - 1);
    expect(await call([{ id: rice.id, version: stale, quantity: '2 kg', amount: 2, unit: 'kg', note: null, category_id: null }], [])).toBe('LR409');
    expect(await call([], [{ name: 'rice', key: 'rice', quantity: '1', amount: 1, unit: null, category_id: null, note: null, added_by: 'tester', source_recipe_id: null }])).toBe('23505');
    expect(await stateOf()).toEqual(before);
    // With the version it read, the same write goes through.
    expect(await call([{ id: rice.id, version, quantity: '2 kg', amount: 2, unit: 'kg', note: null, category_id: null }], [])).toBe('written');
    expect((await t.core.lists.get(ctx)).items.map((item) => item.quantity)).toEqual(['2 kg']);
  });

  it.skipIf(testDatabaseKind !== 'postgres')('waits for the list lock, so a one-statement merge cannot slip between a transaction\'s read and write', async () => {
    const ctx = await t.household('one statement lock');
    await t.core.lists.add(again(ctx), { items: [{ name: 'oats', quantity: '1' }] });
    const list = await t.core.lists.resolve(ctx.householdId, null);
    // Another writer, as the locking path works: lock the list, read the item, write it from what it read.
    const pool = (t.database.db as unknown as { $client: pg.Pool }).$client;
    const other = await pool.connect();
    try {
      await other.query('begin');
      await other.query('select id from lists where id = $1 for update', [list.id]);
      const { rows } = await other.query<{ id: number; quantity: string }>(`select id, quantity from items where list_id = $1 and name = 'oats'`, [list.id]);
      let settled = false;
      const adding = t.core.lists.add(again(ctx), { items: [{ name: 'oats', quantity: '1' }] }).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      await other.query('update items set quantity = $2, amount = $3 where id = $1', [rows[0]?.id, String(Number(rows[0]?.quantity) + 1), Number(rows[0]?.quantity) + 1]);
      await other.query('commit');
      await adding;
    } finally {
      other.release();
    }
    expect((await t.core.lists.get(ctx)).items.map((item) => item.quantity)).toEqual(['3']);
  });

  it('takes the transaction when an add learns a category or repeats a key', async () => {
    const ctx = await t.household('one statement or not');
    await t.core.lists.add(again(ctx), { items: [{ name: 'warm-up' }] });
    const inTransaction = (statements: string[]) =>
      statements.some((text) => /^begin/i.test(text)) && !statements.some((text) => /larder_add_items_at_once/.test(text));
    expect(inTransaction(await statementsOf(() => t.core.lists.add(again(ctx), { items: [{ name: 'sumac', category: 'Pantry' }] })))).toBe(true);
    expect(inTransaction(await statementsOf(() => t.core.lists.add(again(ctx), { items: [{ name: 'lime' }, { name: 'limes', quantity: '2' }] })))).toBe(true);
    expect((await t.core.lists.get(ctx)).items.map((item) => [item.name, item.quantity, item.category])).toEqual([
      ['lime', '2', 'Produce'],
      ['sumac', null, 'Pantry'],
      ['warm-up', null, 'Other'],
    ]);
  });
});
