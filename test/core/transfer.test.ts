import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createManualClock } from '../../src/core/clock.ts';
import { newRequest, type RequestContext } from '../../src/core/context.ts';
import { createCore, type Core } from '../../src/core/core.ts';
import { openDatabase, queryRows, type Database, type Db } from '../../src/core/db/client.ts';
import * as schema from '../../src/core/db/schema.ts';
import { columnNames, getTableName } from '../../src/core/db/snapshot.ts';
import { isLarderError } from '../../src/core/errors.ts';
import { EXPORT_FORMAT, EXPORT_VERSION, ROW_SCHEMAS, type HouseholdExport } from '../../src/core/services/transfer.ts';
import { again, testCore, testDatabaseKind, testPostgresUrl, type TestCore } from '../support/core.ts';
import { runLarder, type Run } from '../support/cli.ts';


// ---------------------------------------------------------------------------------------------
// A normalized view of a household, read straight from the tables (not through the export code):
// every id becomes its rank among the ids of its kind the household mentions anywhere, so two
// copies compare equal exactly when they hold the same data with ids renumbered in order.

type Kind = 'household' | 'category' | 'list' | 'recipe' | 'item' | 'pantry' | 'category_memory' | 'ingredient_match' | 'event';
const SNAPSHOT_REFS: Record<string, Kind> = { list_id: 'list', category_id: 'category', source_recipe_id: 'recipe' };

async function readHousehold(db: Db, householdId: number) {
  const of = <T extends { householdId: number; id: number }>(rows: T[]) => rows.sort((a, b) => a.id - b.id);
  return {
    household: await db.select().from(schema.households).where(eq(schema.households.id, householdId)),
    categories: of(await db.select().from(schema.categories).where(eq(schema.categories.householdId, householdId))),
    lists: of(await db.select().from(schema.lists).where(eq(schema.lists.householdId, householdId))),
    recipes: of(await db.select().from(schema.recipes).where(eq(schema.recipes.householdId, householdId))),
    items: of(await db.select().from(schema.items).where(eq(schema.items.householdId, householdId))),
    pantry: of(await db.select().from(schema.pantryItems).where(eq(schema.pantryItems.householdId, householdId))),
    memory: of(await db.select().from(schema.categoryMemory).where(eq(schema.categoryMemory.householdId, householdId))),
    matches: of(await db.select().from(schema.ingredientMatches).where(eq(schema.ingredientMatches.householdId, householdId))),
    events: of(await db.select().from(schema.events).where(eq(schema.events.householdId, householdId))),
  };
}

/** The household with ids replaced by ranks and its slug by a placeholder when asked. */
async function normalized(db: Db, householdId: number, options: { ignoreSlug?: boolean } = {}) {
  const data = await readHousehold(db, householdId);
  const seen = new Map<Kind, Set<number>>();
  const note = (kind: Kind, id: unknown) => {
    if (typeof id !== 'number') return;
    if (!seen.has(kind)) seen.set(kind, new Set());
    seen.get(kind)?.add(id);
  };
  const noteSnapshot = (kind: Kind, snap: Record<string, unknown> | null) => {
    if (!snap) return;
    note(kind, snap.id);
    for (const [column, target] of Object.entries(SNAPSHOT_REFS)) note(target, snap[column]);
  };
  data.categories.forEach((row) => note('category', row.id));
  data.lists.forEach((row) => note('list', row.id));
  data.recipes.forEach((row) => note('recipe', row.id));
  data.items.forEach((row) => [note('item', row.id), note('list', row.listId), note('category', row.categoryId), note('recipe', row.sourceRecipeId)]);
  data.pantry.forEach((row) => [note('pantry', row.id), note('category', row.categoryId)]);
  data.memory.forEach((row) => [note('category_memory', row.id), note('category', row.categoryId)]);
  data.matches.forEach((row) => note('ingredient_match', row.id));
  for (const event of data.events) {
    note('event', event.id);
    note(event.entity as Kind, event.entityId);
    noteSnapshot(event.entity as Kind, event.before);
    noteSnapshot(event.entity as Kind, event.after);
  }
  const rank = (kind: Kind, id: number | null): string | null => {
    if (id === null) return null;
    if (kind === 'household') return id === householdId ? 'H' : `foreign household ${id}`;
    const sorted = [...(seen.get(kind) ?? [])].sort((a, b) => a - b);
    return `${kind}#${sorted.indexOf(id)}`;
  };
  const snap = (kind: Kind, value: Record<string, unknown> | null) => {
    if (!value) return value;
    const out: Record<string, unknown> = { ...value, id: rank(kind, value.id as number) };
    if ('household_id' in out) out.household_id = rank('household', out.household_id as number);
    if (kind === 'household' && options.ignoreSlug) out.slug = '(slug)';
    for (const [column, target] of Object.entries(SNAPSHOT_REFS)) if (typeof out[column] === 'number') out[column] = rank(target, out[column]);
    return out;
  };
  const base = <T extends { id: number; householdId: number }>(kind: Kind, row: T) => ({ ...row, id: rank(kind, row.id), householdId: 'H' });
  return {
    household: data.household.map((row) => ({ ...row, id: 'H', slug: options.ignoreSlug ? '(slug)' : row.slug })),
    categories: data.categories.map((row) => base('category', row)),
    lists: data.lists.map((row) => base('list', row)),
    recipes: data.recipes.map((row) => base('recipe', row)),
    items: data.items.map((row) => ({
      ...base('item', row),
      listId: rank('list', row.listId),
      categoryId: rank('category', row.categoryId),
      sourceRecipeId: rank('recipe', row.sourceRecipeId),
    })),
    pantry: data.pantry.map((row) => ({ ...base('pantry', row), categoryId: rank('category', row.categoryId) })),
    memory: data.memory.map((row) => ({ ...base('category_memory', row), categoryId: rank('category', row.categoryId) })),
    matches: data.matches.map((row) => base('ingredient_match', row)),
    events: data.events.map((event) => ({
      ...base('event', event),
      entityId: rank(event.entity as Kind, event.entityId),
      before: snap(event.entity as Kind, event.before),
      after: snap(event.entity as Kind, event.after),
    })),
  };
}

/** Row counts of every table: "changed nothing" means these did not move. */
async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = await queryRows<{ name: string }>(db, sql`select table_name as name from information_schema.tables where table_schema = 'public' order by 1`);
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await queryRows<{ n: string }>(db, sql`select count(*)::text as n from ${sql.identifier(name)}`);
    counts[name] = Number(row?.n);
  }
  return counts;
}

const PANCAKES = 'Pancakes\nServes 4\n\nIngredients\n- 200 g flour\n- 2 eggs\n- 300 ml milk\n\nMethod\n1. Whisk.\n2. Fry.';

/** A household that has lived a little: every table, deletes, undos and references in its journal. */
async function liveIn(t: TestCore, ctx: RequestContext): Promise<void> {
  const step = async (work: (c: RequestContext) => Promise<unknown>) => {
    t.clock.advance(61_000);
    await work(again(ctx));
  };
  await step((c) => t.core.households.update(c, { name: 'The Family', timeZone: 'Europe/Stockholm', digestTime: '07:30' }));
  await step((c) => t.core.categories.create(c, 'Baby'));
  await step((c) => t.core.lists.create(c, { name: 'Costco', store: 'Costco' }));
  await step((c) => t.core.lists.add(c, { items: [{ name: 'milk', quantity: '1 l' }, { name: 'eggs', quantity: 'a dozen' }, { name: 'bread', note: 'sourdough' }] }));
  await step((c) => t.core.lists.add(c, { items: [{ name: 'Milk', quantity: '500 ml' }, { name: 'nappies', category: 'Baby' }] }));
  await step((c) => t.core.lists.add(c, { list: 'costco', items: [{ name: 'rice', quantity: '5 kg' }, { name: 'olive oil' }] }));
  await step((c) => t.core.lists.setCategory(c, { name: 'bread', category: 'Pantry' }));
  await step((c) => t.core.lists.check(c, { list: 'costco', items: ['rice'] }));
  await step((c) => t.core.lists.remove(c, { items: ['eggs'] }));
  await step((c) => t.core.lists.addTask(c, { title: 'descale the kettle', due: new Date('2026-03-05T10:00:00Z') }));
  await step((c) =>
    t.core.pantry.update(c, {
      items: [
        { name: 'spinach', quantity: '200 g', expiresOn: '2026-03-04', location: 'fridge' },
        { name: 'garlic', quantity: '1 head', openedOn: '2026-03-01' },
        { name: 'olive oil', status: 'low', preferredStore: 'Costco' },
        { name: 'flour', quantity: '1 kg', note: 'bread flour' },
      ],
    }),
  );
  await step((c) => t.core.pantry.remove(c, { names: ['garlic'] }));
  await step((c) => t.core.recipes.importText(c, { text: PANCAKES, source: 'grandma' }));
  await step((c) =>
    t.core.recipes.save(c, {
      title: 'Spinach pasta',
      servings: 2,
      ingredients: [
        { name: 'spaghetti', amount: 200, unit: 'g' },
        { name: 'spinach', amount: 100, unit: 'g' },
        { name: 'parmesan', amount: 30, unit: 'g', optional: true },
      ],
      steps: ['Boil the pasta.', 'Wilt the spinach.'],
      tags: ['quick'],
      rating: 4,
    }),
  );
  await step((c) => t.core.recipes.fulfillment(c, { recipe: 'Spinach pasta' }));
  await step((c) => t.core.recipes.setIngredientMatch(c, { ingredient: 'spaghetti', pantryItem: 'flour' }));
  await step((c) => t.core.recipes.addMissingToList(c, { recipe: 'Pancakes', servings: 8 }));
  await step((c) => t.core.recipes.cook(c, { recipe: 'Spinach pasta' }));
  // A deleted recipe that list items came from: its id lives on only in the journal.
  await step((c) => t.core.recipes.remove(c, 'Pancakes'));
  await step((c) => t.core.pantry.restock(c));
  await step((c) => t.core.lists.add(c, { items: [{ name: 'apples', quantity: '6' }] }));
  await step((c) => t.core.journal.undo(c));
  await step((c) => t.core.lists.add(c, { list: 'costco', items: [{ name: 'coffee', quantity: '1 kg' }, { name: 'tea' }] }));
}

let source: TestCore;
let family: RequestContext;
let exported: HouseholdExport;

beforeAll(async () => {
  source = await testCore();
  family = await source.household('family', { door: 'bot', name: 'Ada' });
  const neighbours = await source.household('neighbours');
  await source.core.lists.add(neighbours, { items: [{ name: 'neighbour secret' }] });
  await liveIn(source, family);
  await source.core.lists.add(again(neighbours), { items: [{ name: 'late neighbour thing' }] });
  exported = await source.core.transfer.exportHousehold('family');
});

afterAll(async () => {
  await source.close();
});

describe('export', () => {
  it('writes one versioned document with the household, its rows and its journal, and nothing of another household', async () => {
    expect(exported).toMatchObject({
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      household: { slug: 'family', name: 'The Family', time_zone: 'Europe/Stockholm', digest_time: '07:30' },
    });
    expect(exported.categories.map((category) => category.name)).toEqual([
      'Produce', 'Dairy & Eggs', 'Meat & Seafood', 'Bakery', 'Pantry', 'Frozen', 'Beverages', 'Snacks', 'Household', 'Personal Care', 'Other', 'Baby',
    ]);
    expect(exported.lists.map((list) => list.name)).toEqual(['Shopping', 'Costco', 'Tasks']);
    for (const section of ['categoryMemory', 'items', 'pantry', 'recipes', 'ingredientMatches', 'events'] as const) {
      expect(exported[section].length, section).toBeGreaterThan(0);
    }
    const history = await source.core.journal.history(family, { limit: 200 });
    expect(exported.events.map((event) => event.id).reverse()).toEqual(history.map((event) => event.id));
    expect(JSON.stringify(exported)).not.toMatch(/neighbour/);
    // Items that came from a recipe since deleted: the recipe lives on in the journal only.
    expect(exported.events.some((event) => event.entity === 'item' && typeof event.after?.source_recipe_id === 'number')).toBe(true);
    expect(exported.recipes.map((recipe) => recipe.title)).toEqual(['Spinach pasta']);
  });

  it('holds the file format to the database schema: every column of every exported table, no more', () => {
    for (const { table, row } of ROW_SCHEMAS) {
      // household_id is implied by the file; every other column must be there.
      const expected = columnNames(table).filter((column) => column !== 'household_id');
      expect(Object.keys(row.shape).sort(), getTableName(table)).toEqual(expected.sort());
    }
  });

  it('refuses a household that does not exist', async () => {
    await expect(source.core.transfer.exportHousehold('nobody-here')).rejects.toThrow(/no household "nobody-here"/);
  });
});

describe('import', () => {
  let target: TestCore;
  beforeAll(async () => {
    target = await testCore();
    // Something already there, so the imported rows cannot keep their old ids by luck.
    const other = await target.household('other');
    await target.core.lists.add(other, { items: [{ name: 'bystander', quantity: '2' }] });
    await target.core.pantry.update(again(other), { items: [{ name: 'salt' }] });
  });
  afterAll(async () => {
    await target.close();
  });

  it(`restores exactly the same household in a fresh database (${testDatabaseKind}), and undo keeps working`, async () => {
    const otherId = (await target.core.households.ensure('other')).id;
    const otherBefore = await normalized(target.core.db, otherId);
    const result = await target.core.transfer.importHousehold(JSON.stringify(exported));
    expect(result).toMatchObject({ household: { slug: 'family', name: 'The Family' }, replaced: false, counts: { lists: 3, events: exported.events.length } });
    expect(result.household.id).not.toBe(family.householdId);
    expect(await normalized(target.core.db, result.household.id)).toEqual(await normalized(source.core.db, family.householdId));
    expect(await normalized(target.core.db, otherId)).toEqual(otherBefore);

    // The services see the same household.
    const restored = newRequest(result.household.id, { door: 'cli', name: 'tester' });
    const strip = <T extends { id: number; listId?: number }>(items: T[]) => items.map(({ id: _id, listId: _listId, ...rest }) => rest);
    for (const list of ['Shopping', 'Costco', 'Tasks']) {
      expect(strip((await target.core.lists.get(restored, { list })).items)).toEqual(strip((await source.core.lists.get(family, { list })).items));
    }

    // Undo the last two requests on both sides: the same changes are reversed, to the same state.
    target.clock.set(source.clock.now());
    for (let round = 0; round < 2; round++) {
      // One request id and actor for both, so the undo events they write are the same too.
      const requestId = randomUUID();
      const there = await target.core.journal.undo({ householdId: restored.householdId, actor: family.actor, requestId });
      const here = await source.core.journal.undo({ ...family, requestId });
      expect(there.summary).toBe(here.summary);
      expect(await normalized(target.core.db, result.household.id)).toEqual(await normalized(source.core.db, family.householdId));
    }
    // New rows take new ids without colliding with the restored ones.
    await target.core.lists.add(again(restored), { items: [{ name: 'fresh basil' }] });
    await target.core.journal.undo(again(restored));
    // Put the source back as it was exported, for the tests after this one.
    exported = await source.core.transfer.exportHousehold('family');
  });

  it('refuses a household that exists, unless --replace, which keeps its id, members and tokens', async () => {
    const doc = JSON.stringify(exported);
    await target.core.transfer.importHousehold(doc, { household: 'copy' });
    const error = await target.core.transfer.importHousehold(doc, { household: 'copy' }).catch((caught: unknown) => caught);
    expect(isLarderError(error, 'conflict:household')).toBe(true);
    expect(String(error)).toMatch(/already exists.*--replace/);

    const copy = await target.core.households.ensure('copy');
    const { token } = await target.core.tokens.create(copy.id);
    await target.core.households.upsertMember(copy.id, { telegramUserId: 123456789012n, displayName: 'Ada' });
    await target.core.lists.add(newRequest(copy.id, { door: 'cli', name: 'x' }), { items: [{ name: 'to be wiped' }] });
    const replaced = await target.core.transfer.importHousehold(doc, { household: 'copy', replace: true });
    expect(replaced).toMatchObject({ household: { id: copy.id, slug: 'copy' }, replaced: true });
    expect(await normalized(target.core.db, copy.id, { ignoreSlug: true })).toEqual(await normalized(source.core.db, family.householdId, { ignoreSlug: true }));
    expect(await target.core.tokens.verify(token)).toMatchObject({ householdId: copy.id });
    expect(await target.core.households.members(copy.id)).toHaveLength(1);
    // Undo in the renamed copy restores rows of the copy, never of the original slug.
    await target.core.journal.undo(newRequest(copy.id, { door: 'cli', name: 'x' }));
    expect((await target.core.households.get(copy.id)).slug).toBe('copy');
  });

  it('refuses a damaged file with a clear error and changes nothing', async () => {
    const good = JSON.stringify(exported);
    const edit = (change: (doc: Record<string, unknown> & HouseholdExport) => void) => {
      const doc = JSON.parse(good) as Record<string, unknown> & HouseholdExport;
      change(doc);
      return JSON.stringify(doc);
    };
    const cases: Array<[string, string, RegExp]> = [
      ['truncated JSON', good.slice(0, Math.floor(good.length / 2)), /not valid JSON/],
      ['empty input', '', /not valid JSON/],
      ['another format', JSON.stringify({ hello: 'world' }), /not a Larder household export/],
      ['a newer version', edit((doc) => (doc.version = 2 as 1)), /version 2; this Larder reads version 1/],
      ['missing household name', edit((doc) => delete (doc.household as Partial<HouseholdExport['household']>).name), /household\.name/],
      ['missing section', edit((doc) => delete (doc as Partial<HouseholdExport>).events), /events/],
      ['a wrong type', edit((doc) => ((doc.items[0] as Record<string, unknown>).amount = 'lots')), /items\.0\.amount/],
      ['an unknown column', edit((doc) => ((doc.lists[0] as Record<string, unknown>).owner = 'mallory')), /lists\.0/],
      ['a bad time zone', edit((doc) => (doc.household.time_zone = 'Mars/Olympus')), /time_zone/],
      ['a dangling reference', edit((doc) => ((doc.items[0] as { list_id: number }).list_id = 987654)), /items\[0\]\.list_id is 987654, which is not a list/],
      ['a repeated id', edit((doc) => ((doc.lists[1] as { id: number }).id = doc.lists[0]?.id ?? 0)), /repeats id/],
      ['a snapshot without an id', edit((doc) => ((doc.events[0] as { after: unknown }).after = { name: 'x' })), /events\.0\.after\.id/],
      // Valid field by field, but the database refuses it halfway: the transaction takes it all back.
      ['two default lists', edit((doc) => doc.lists.forEach((list) => (list.is_default = true))), /does not fit together/],
    ];
    const before = await tableCounts(target.core.db);
    for (const [name, text, message] of cases) {
      const error = await target.core.transfer.importHousehold(text, { household: 'damaged' }).catch((caught: unknown) => caught);
      expect(isLarderError(error, 'invalid:import'), `${name}: ${String(error)}`).toBe(true);
      expect((error as Error).message, name).toMatch(message);
      expect(await tableCounts(target.core.db), name).toEqual(before);
    }
    expect(await target.core.households.findBySlug('damaged')).toBeNull();
    // The same bad file under --replace leaves the existing household untouched.
    const copyId = (await target.core.households.ensure('copy')).id;
    const copyBefore = await normalized(target.core.db, copyId);
    const broken = edit((doc) => doc.lists.forEach((list) => (list.is_default = true)));
    await expect(target.core.transfer.importHousehold(broken, { household: 'copy', replace: true })).rejects.toThrow(/does not fit together/);
    expect(await normalized(target.core.db, copyId)).toEqual(copyBefore);
  });

  it.runIf(testDatabaseKind === 'postgres')('moves a household from PostgreSQL to PGlite and back unchanged', async () => {
    const pglite = await openDatabase({ kind: 'pglite', dataDir: null, loadDataDir: new Blob([fs.readFileSync(inject('pgliteTemplate'))]) });
    try {
      const core = createCore({ db: pglite.db, clock: createManualClock('2026-03-02T09:00:00Z') });
      const there = await core.transfer.importHousehold(exported);
      expect(await normalized(pglite.db, there.household.id)).toEqual(await normalized(source.core.db, family.householdId));
      const back = await target.core.transfer.importHousehold(await core.transfer.exportHousehold('family'), { household: 'round-trip' });
      expect(await normalized(target.core.db, back.household.id, { ignoreSlug: true })).toEqual(
        await normalized(source.core.db, family.householdId, { ignoreSlug: true }),
      );
    } finally {
      await pglite.close();
    }
  });
});

describe('a PGlite data folder', () => {
  it('keeps what was written across a close and a reopen', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-restart-'));
    const open = async (): Promise<{ database: Database; core: Core }> => {
      const database = await openDatabase({ kind: 'pglite', dataDir });
      await database.migrate();
      return { database, core: createCore({ db: database.db, changes: database.changes }) };
    };
    try {
      const first = await open();
      const household = await first.core.households.ensure('restart');
      const ctx = newRequest(household.id, { door: 'cli', name: 'tester' });
      await first.core.lists.add(ctx, { items: [{ name: 'milk', quantity: '1 l' }, { name: 'eggs' }] });
      const { token } = await first.core.tokens.create(household.id);
      const written = await normalized(first.core.db, household.id);
      await first.database.close();

      const second = await open();
      try {
        expect(await normalized(second.core.db, household.id)).toEqual(written);
        expect(await second.core.tokens.verify(token)).toMatchObject({ householdId: household.id });
        await second.core.journal.undo(again(ctx));
        expect((await second.core.lists.get(ctx)).items).toEqual([]);
      } finally {
        await second.database.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------

function larder(args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  return runLarder(args, { env: { ...process.env, LARDER_LOG_LEVEL: 'warn', ...env }, input, timeoutMs: 30_000 });
}

/** What a person would call the same household: its rows without ids, timestamps of export or slug. */
function comparable(doc: HouseholdExport) {
  return {
    household: { ...doc.household, id: 0, slug: '' },
    categories: doc.categories.map(({ id: _id, ...rest }) => rest),
    lists: doc.lists.map(({ id: _id, ...rest }) => rest),
    items: doc.items.map(({ id: _id, list_id: _list, category_id: _category, ...rest }) => rest),
    pantry: doc.pantry.map(({ id: _id, category_id: _category, ...rest }) => rest),
    events: doc.events.map((event) => [event.kind, event.summary, event.request_id, event.created_at]),
  };
}

describe('larder export / import', () => {
  it('round-trips a household through the command line in a PGlite data folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-transfer-'));
    const env = { LARDER_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' };
    const file = path.join(dir, 'family.json');
    try {
      // Each command opens the data folder afresh: this is also a test that it survives restarts.
      const chat = await larder(['chat', '--household', 'family', 'add 2 l milk, eggs and bread'], env);
      expect(chat.code, chat.stderr).toBe(0);
      const written = await larder(['export', '--household', 'family', '--out', file], env);
      expect(written.code, written.stderr).toBe(0);
      expect(written.stdout).toBe('');
      expect(written.stderr).toMatch(/Exported household "family": 1 lists, 3 items/);
      expect(fs.statSync(file).mode & 0o077).toBe(0);
      const original = JSON.parse(fs.readFileSync(file, 'utf8')) as HouseholdExport;

      const imported = await larder(['import', '--household', 'family-copy', '--file', file, '--json'], env);
      expect(imported.code, imported.stderr).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ household: { slug: 'family-copy' }, replaced: false, counts: { items: 3 } });

      const refused = await larder(['import', '--household', 'family-copy'], env, fs.readFileSync(file, 'utf8'));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Household "family-copy" already exists/);
      const replaced = await larder(['import', '--household', 'family-copy', '--replace'], env, fs.readFileSync(file, 'utf8'));
      expect(replaced.code, replaced.stderr).toBe(0);
      expect(replaced.stdout).toMatch(/Replaced household "family-copy"/);

      const copy = await larder(['export', '--household', 'family-copy'], env);
      expect(copy.stdout.startsWith('{')).toBe(true);
      expect(comparable(JSON.parse(copy.stdout) as HouseholdExport)).toEqual(comparable(original));

      const truncated = await larder(['import', '--household', 'broken'], env, fs.readFileSync(file, 'utf8').slice(0, 500));
      expect(truncated.code).toBe(1);
      expect(truncated.stderr).toMatch(/not valid JSON/);
      expect(truncated.stderr).not.toMatch(/\n\s+at /);

      // The same file restores into PostgreSQL too when the suite has one.
      const postgres = await testPostgresUrl();
      if (postgres) {
        try {
          const pg = await larder(['import', '--file', file], { DATABASE_URL: postgres.url });
          expect(pg.code, pg.stderr).toBe(0);
          const back = await larder(['export', '--household', 'family'], { DATABASE_URL: postgres.url });
          expect(comparable(JSON.parse(back.stdout) as HouseholdExport)).toEqual(comparable(original));
        } finally {
          await postgres.drop();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
