import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namedStatement, runNamedStatement, tableRow } from '../../src/core/db/client.ts';
import * as schema from '../../src/core/db/schema.ts';
import { pgCode } from '../../src/core/services/journal.ts';
import { testCore, testDatabaseKind, type TestCore } from '../support/core.ts';

let t: TestCore;
let householdId: number;
beforeAll(async () => {
  t = await testCore();
  householdId = (await t.household('named')).householdId;
});
afterAll(async () => {
  await t.close();
});

describe(`named statements (${testDatabaseKind})`, () => {
  it('returns what the same query returns unnamed, with every kind of parameter', async () => {
    const db = t.core.db;
    const [list] = await db.select().from(schema.lists).where(eq(schema.lists.householdId, householdId));
    const when = new Date('2026-03-02T09:30:00.000Z');
    await db.insert(schema.items).values([
      { householdId, listId: list!.id, name: 'milk', key: 'milk', quantity: '1 l', amount: 1, unit: 'l', createdAt: when, updatedAt: when },
      { householdId, listId: list!.id, name: 'eggs', key: 'egg', createdAt: when, updatedAt: when, dueAt: when },
    ]);
    const byKeys = namedStatement(db, 'test_items_by_keys', () =>
      db
        .select()
        .from(schema.items)
        .where(sql`${schema.items.listId} = ${sql.placeholder('listId')} and ${schema.items.key} = any(${sql.placeholder('keys')}::text[]) and ${schema.items.updatedAt} = ${sql.placeholder('when')}::timestamptz`)
        .orderBy(schema.items.id)
        .getSQL(),
    );
    const unnamed = await db.select().from(schema.items).where(eq(schema.items.listId, list!.id)).orderBy(schema.items.id);
    for (let run = 0; run < 3; run++) {
      const rows = (await byKeys({ listId: list!.id, keys: ['milk', 'egg'], when: when.toISOString() })).map((raw) => tableRow(schema.items, raw));
      expect(rows).toEqual(unnamed);
    }
    expect(await byKeys({ listId: list!.id, keys: ['nothing'], when: when.toISOString() })).toEqual([]);
    const [echo] = await runNamedStatement(db, 'test_echo', 'select $1::jsonb as doc, $2::int as n, $3::text as nothing', [JSON.stringify({ a: [1, 'b'] }), 42, null]);
    expect(echo).toEqual({ doc: { a: [1, 'b'] }, n: 42, nothing: null });
  });

  it("never runs between the statements of another caller's open transaction", async () => {
    const db = t.core.db;
    const count = namedStatement(db, 'test_count_lists', () => sql`select count(*)::int as n from lists where household_id = ${sql.placeholder('householdId')}`);
    const [{ n: before } = { n: -1 }] = await count({ householdId });
    let inserted = () => undefined as void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const open = db
      .transaction(async (tx) => {
        await tx.insert(schema.lists).values({ householdId, name: 'Uncommitted', kind: 'grocery', createdAt: new Date(), updatedAt: new Date() });
        inserted();
        await new Promise((resolve) => setTimeout(resolve, 200));
        tx.rollback();
      })
      .catch(() => 'rolled back');
    await insertedYet;
    // The named statement waits for the transaction instead of reading inside it (PGlite has one session).
    const [{ n: during } = { n: -1 }] = await count({ householdId });
    expect(await open).toBe('rolled back');
    expect(during).toBe(before);
  });

  it('fails with the database error and leaves the next run working', async () => {
    const db = t.core.db;
    const [list] = await db.select().from(schema.lists).where(eq(schema.lists.householdId, householdId));
    const insert = namedStatement(
      db,
      'test_insert_item',
      () => sql`insert into items (household_id, list_id, name, key, created_at, updated_at) values (${householdId}, ${list!.id}, ${sql.placeholder('name')}, ${sql.placeholder('key')}, now(), now()) returning id`,
    );
    await insert({ name: 'rice', key: 'rice' });
    const failure = await insert({ name: 'rice again', key: 'rice' }).then(
      () => null,
      (error: unknown) => pgCode(error),
    );
    expect(failure).toBe('23505');
    expect(await insert({ name: 'flour', key: 'flour' })).toHaveLength(1);
  });
});
