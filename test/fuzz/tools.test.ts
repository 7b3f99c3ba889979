/**
 * Every tool of the registry fed arbitrary input: invokeTool never throws, input the schema
 * refuses is `{ ok: false }`, no failure is an internal error or shows a stack, and a call that
 * fails (or only reads, or is a dry run) leaves every table exactly as it was.
 */
import fc from 'fast-check';
import type { z } from 'zod';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequest, type RequestContext } from '../../src/core/context.ts';
import { queryRows } from '../../src/core/db/client.ts';
import { silentLogger } from '../../src/core/log.ts';
import { TOOLS, type ToolDefinition } from '../../src/core/tools/index.ts';
import { invokeTool, TOOLS_BY_NAME, type ToolOutcome } from '../../src/core/tools/invoke.ts';
import { testCore, type TestCore } from '../support/core.ts';

const RUNS_PER_TOOL = 30;
const ADD_ITEMS_RUNS = 100;
const SEED = Number(process.env.FUZZ_SEED ?? 20260302);

let t: TestCore;
let home: RequestContext;
let other: RequestContext;
let fingerprintQuery: SQL;
/** The other household's rows at the start: no call in `home` may touch them. */
let otherAtStart: string;
/** Per tool: calls made, how many the input schema accepts (so they reach the handler), and outcomes. */
const runsByTool = new Map<string, { runs: number; valid: number; ok: number; failed: number }>();

/**
 * Every table's row count and a hash of its rows, in one statement. The ingredient match cache
 * is left out where it is automatic: it is derived data that reads fill in (not journaled).
 */
async function fingerprint(): Promise<Record<string, string>> {
  const rows = await queryRows<{ name: string; rows: number; hash: string }>(t.database.db, fingerprintQuery);
  return Object.fromEntries(rows.map((row) => [row.name, `${row.rows}:${row.hash}`]));
}

async function otherHousehold(): Promise<string> {
  const [row] = await queryRows<{ state: string }>(
    t.database.db,
    sql`select concat_ws('|',
      (select string_agg(t::text, ',' order by t.id) from lists t where household_id = ${other.householdId}),
      (select string_agg(t::text, ',' order by t.id) from items t where household_id = ${other.householdId}),
      (select string_agg(t::text, ',' order by t.id) from pantry_items t where household_id = ${other.householdId}),
      (select string_agg(t::text, ',' order by t.id) from recipes t where household_id = ${other.householdId}),
      (select string_agg(t::text, ',' order by t.id) from categories t where household_id = ${other.householdId}),
      (select string_agg(t::text, ',' order by t.id) from events t where household_id = ${other.householdId})) as state`,
  );
  return row?.state ?? '';
}

/** Ids a household's rows have, so plausible input can name them. */
interface Known {
  listIds: number[];
  recipeIds: number[];
  eventIds: number[];
}

const SEEDED_NAMES = ['milk', 'eggs', 'bread', 'greek yogurt', 'tea bags', 'mac and cheese', 'apples', 'rice', 'spinach', 'flour', 'butter'];

/** A household with lists, items (one ticked), a task, pantry entries and two recipes. */
async function seed(household: RequestContext): Promise<Known> {
  const { core } = t;
  // A request of its own for each change, as they would come in: undo then has several to reverse.
  const request = () => newRequest(household.householdId, household.actor);
  await core.lists.create(request(), { name: 'Costco', store: 'Costco' });
  await core.lists.add(request(), {
    items: SEEDED_NAMES.map((name, index) => ({ name, quantity: ['2 l', 'a dozen', '999999 g', '2', null][index % 5] })),
  });
  await core.lists.add(request(), { list: 'Costco', items: [{ name: 'paper towels', quantity: '2 packs' }, { name: 'milk', quantity: '4 l' }] });
  await core.lists.check(request(), { items: ['bread', 'apples'] });
  await core.lists.addTask(request(), { title: 'call the plumber', due: new Date('2026-03-03T09:00:00Z') });
  await core.pantry.update(request(), {
    items: [
      { name: 'rice', status: 'low' },
      { name: 'flour', quantity: '2 kg', location: 'pantry' },
      { name: 'spinach', quantity: '200 g', expiresOn: '2026-03-03', location: 'fridge' },
      { name: 'butter', quantity: '250 g', preferredStore: 'Costco' },
      { name: 'milk', quantity: '999999 ml', status: 'have' },
      { name: 'eggs', status: 'out' },
      { name: 'tea bags', quantity: '80' },
    ],
  });
  await core.recipes.save(request(), {
    title: 'Pancakes',
    servings: 4,
    ingredients: [
      { name: 'flour', amount: 200, unit: 'g' },
      { name: 'milk', amount: 300, unit: 'ml' },
      { name: 'eggs', amount: 2 },
      { name: 'butter', amount: 1, unit: 'tbsp', optional: true },
    ],
    steps: ['Mix.', 'Fry.'],
    tags: ['breakfast'],
  });
  await core.recipes.save(request(), {
    title: 'Spinach omelette',
    servings: 1,
    ingredients: [
      { name: 'spinach', amount: 50, unit: 'g' },
      { name: 'eggs', amount: 3 },
    ],
    steps: ['Whisk.', 'Cook.'],
  });
  const ids = (rows: Array<{ id: number }>) => rows.map((row) => row.id);
  return {
    listIds: ids(await core.lists.all(household)),
    recipeIds: ids(await queryRows<{ id: number }>(t.database.db, sql`select id::int as id from recipes where household_id = ${household.householdId}`)),
    eventIds: ids(await queryRows<{ id: number }>(t.database.db, sql`select id::int as id from events where household_id = ${household.householdId}`)),
  };
}

beforeAll(async () => {
  t = await testCore();
  home = await t.household('home', { door: 'mcp', name: 'assistant' });
  other = await t.household('other', { door: 'mcp', name: 'assistant' });
  await seed(home);
  await seed(other);
  const tables = await queryRows<{ name: string }>(
    t.database.db,
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['events', 'items', 'lists', 'pantry_items', 'recipes']));
  fingerprintQuery = sql.join(
    tables.map(
      ({ name }) =>
        sql`select ${name}::text as name, count(*)::int as rows, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as hash
              from ${sql.identifier(name)} t ${name === 'ingredient_matches' ? sql`where t.source <> 'auto'` : sql``}`,
    ),
    sql` union all `,
  );
  otherAtStart = await otherHousehold();
});

afterAll(async () => {
  if (process.env.FUZZ_STATS) for (const [name, stats] of runsByTool) console.log(name, JSON.stringify(stats));
  await t?.close();
});

// ---- arbitrary input ----------------------------------------------------------------------

const SPECIAL_STRINGS = [
  '', ' ', '\u0000', '\t\n', '\u0007bell', 'NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '-0', '0x1F', '1e-400',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '\u202eevil', 'e\u0301', '👩‍👩‍👧‍👦', '\uD800', '\uFEFFmilk', 'null', 'undefined', 'true', '[]', '{}',
  "'; drop table items; --", '%s%n%x', '../../etc/passwd', '<script>alert(1)</script>', '${7*7}',
  'milk', 'Milk', ' milk ', 'the yogurt', 'Costco', 'costco list', 'Shopping', 'Tasks', 'Pancakes', 'pancake', 'omelette',
  'rice', 'spinach', 'flour', 'Dairy & Eggs', 'dairy', 'fridge', 'have', 'low', 'out', 'grocery', 'task',
  '2', '2 l', '500 ml', 'a dozen', '-2', '0', '1/0', '1000001', '999999 g', '2 bottles + 1 kg', 'a few',
  '2026-03-03', '2026-02-30', '2026-03-03T09:00:00+01:00', '2026-13-01T00:00:00Z', 'Europe/Stockholm', 'Mars/Olympus', '08:00', '24:00',
];
const HUGE_STRINGS = ['x'.repeat(20_000), 'é'.repeat(10_000), '🍎'.repeat(5_000), 'milk '.repeat(4_000), 'a'.repeat(201), 'a'.repeat(200), '9'.repeat(400), '1'.repeat(101)];
const SPECIAL_NUMBERS = [0, -0, -1, 1, 2, 3, 5, 1.5, 1e-9, 2 ** 31 - 1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.NaN, Infinity, -Infinity, 1_000_001, 999_999];

const junkString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20, unit: 'grapheme' }),
  fc.string({ maxLength: 20, unit: 'binary' }),
  fc.constantFrom(...SPECIAL_STRINGS),
  fc.constantFrom(...HUGE_STRINGS),
);
const junkNumber = fc.oneof(fc.integer(), fc.double(), fc.integer({ min: 1, max: 60 }), fc.constantFrom(...SPECIAL_NUMBERS));
const leaf: fc.Arbitrary<unknown> = fc.oneof(junkString, junkNumber, fc.boolean(), fc.constant(null), fc.constant(undefined));
const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'name', 'items', 'list', 'quantity', 'toString'));
/** Arrays of 101 to 130 entries: one past the per-call limit and more. */
const tooMany: fc.Arbitrary<unknown> = fc.integer({ min: 101, max: 130 }).chain((n) =>
  fc.constantFrom<unknown>(
    Array.from({ length: n }, (_, i) => ({ name: `thing ${i}` })),
    Array.from({ length: n }, (_, i) => `thing ${i}`),
  ),
);
const junk: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    tooMany,
  ),
})).value;

/** Objects with their own `__proto__` / `constructor` keys, as JSON.parse makes them from a request. */
function polluted(base: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as Record<string, unknown>, base);
}

const plausibleName = fc.constantFrom('milk', 'eggs', 'Greek Yogurt', 'the yogurt', 'tea bags', 'mac and cheese', 'rice', 'spinach', 'flour', 'butter', 'apples', 'paper towels', 'call the plumber');
const plausibleQuantity = fc.constantFrom('2', '1.5 l', '500 ml', '500g', 'a dozen', 'half a dozen', '2 bottles', '2 bottles + 1 kg', 'a few', 'two', '1/2', '1 1/2', '½ cup', '999999', '1000000 g');
const freshName = (prefix: string) => fc.integer({ min: 1, max: 1_000_000 }).map((n) => `${prefix} ${n}`);
const categoryName = fc.constantFrom('Dairy & Eggs', 'dairy', 'Produce', 'Beverages', 'Snacks', 'Pantry', 'Frozen', 'Nonexistent');
const dateText = fc.constantFrom('2026-03-02', '2026-03-04', '2026-04-01', '2025-12-31');
const small = (min: number, max: number) => fc.integer({ min, max });

/** Mostly the plausible value, once in `odds` junk in its place. */
function mostly(plausible: fc.Arbitrary<unknown>, odds: number): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: plausible, weight: odds - 1 }, { arbitrary: junk, weight: 1 });
}

/**
 * An object with its `required` fields and some of the others, each mostly plausible; now and
 * then one that lacks required fields.
 */
function objectOf(fields: Record<string, fc.Arbitrary<unknown>>, required: string[], odds = 20): fc.Arbitrary<Record<string, unknown>> {
  const values = Object.fromEntries(Object.entries(fields).map(([name, arbitrary]) => [name, mostly(arbitrary, odds)]));
  return fc.oneof(
    { arbitrary: fc.record(values, { requiredKeys: required }), weight: 14 },
    { arbitrary: fc.record(values, { requiredKeys: [] }), weight: 1 },
  );
}

function arrayOf(item: fc.Arbitrary<unknown>, maxLength = 4): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: fc.array(item, { minLength: 1, maxLength }), weight: 16 }, { arbitrary: fc.constant([]), weight: 1 }, { arbitrary: tooMany, weight: 1 });
}

const listItem = objectOf({ name: plausibleName, quantity: plausibleQuantity, note: fc.constantFrom('the organic one', ''), category: categoryName }, ['name'], 30);
const pantryItem = objectOf(
  {
    name: plausibleName,
    quantity: fc.oneof(plausibleQuantity, fc.constant(null)),
    status: fc.constantFrom('have', 'low', 'out'),
    location: fc.constantFrom('fridge', 'freezer', 'pantry', null),
    expires_on: fc.oneof(dateText, fc.constant(null)),
    opened_on: dateText,
    preferred_store: fc.constantFrom('Costco', 'Aldi', null),
    category: categoryName,
    note: fc.constantFrom('top shelf', null),
  },
  ['name'],
  40,
);
const boughtItem = objectOf({ name: plausibleName, quantity: fc.oneof(plausibleQuantity, fc.constant(null)), expires_on: dateText, location: fc.constantFrom('fridge', null) }, ['name'], 30);
const ingredient = objectOf(
  { name: plausibleName, amount: fc.oneof({ arbitrary: fc.constantFrom(1, 2, 0.5, 250, null), weight: 8 }, { arbitrary: junkNumber, weight: 1 }), unit: fc.constantFrom('g', 'ml', 'tbsp', 'clove', null), note: fc.constantFrom('minced', null), optional: fc.boolean() },
  ['name'],
  30,
);
const recipeText = fc.oneof(
  freshName('Stew').map((title) => `${title}\nServes 4\n\nIngredients\n- 500 g beef\n- 2 onions\n- 1 l stock\n\nMethod\n1. Brown the beef.\n2. Simmer.`),
  fc.constantFrom(
    'Pancakes\nServes 2\n\nIngredients\n- 200 g flour\n- 2 eggs\n- 300 ml milk\n\nMethod\n1. Mix.\n2. Fry.',
    'Soup of the day\n\nIngredients:\n1 onion\n2 l stock\n\nSteps:\nBoil it all.',
    'just one line',
  ),
);

/** Plausible values per field, by `tool.field` first and then by field name alone. */
const fieldValues = (known: Known): Record<string, fc.Arbitrary<unknown>> => ({
  'add_items.items': arrayOf(listItem),
  'update_pantry.items': arrayOf(pantryItem),
  'stock_pantry.items': arrayOf(boughtItem),
  'create_list.name': fc.oneof(freshName('list'), fc.constantFrom('Costco', 'Shopping')),
  'save_recipe.title': fc.oneof(freshName('Soup'), fc.constantFrom('Pancakes')),
  'save_recipe.id': fc.oneof(fc.constantFrom(...known.recipeIds), fc.constantFrom(1, 2 ** 31)),
  'add_task.title': fc.oneof(freshName('call'), plausibleName),
  'set_item_category.category': categoryName,
  'update_household.name': freshName('Home'),
  items: arrayOf(plausibleName),
  names: arrayOf(plausibleName),
  ingredients: fc.array(ingredient, { maxLength: 4 }),
  steps: fc.array(fc.constantFrom('Mix.', 'Fry.', 'Serve.'), { maxLength: 3 }),
  tags: fc.array(fc.constantFrom('quick', 'breakfast', 'vegetarian'), { maxLength: 3 }),
  list: fc.oneof(fc.constantFrom<unknown>('Costco', 'costco', 'Shopping', 'the shopping list', 'Tasks', 'Aldi', 1, 99_999, 2 ** 31), fc.constantFrom(...known.listIds)),
  recipe: fc.oneof(fc.constantFrom<unknown>('Pancakes', 'pancake', 'omelette', 'Spinach omelette', 'lasagne', 1, 99_999, 2 ** 31), fc.constantFrom(...known.recipeIds)),
  name: plausibleName,
  title: plausibleName,
  item: plausibleName,
  ingredient: plausibleName,
  pantry_item: fc.oneof(plausibleName, fc.constant(null)),
  category: categoryName,
  quantity: plausibleQuantity,
  status: fc.constantFrom('have', 'low', 'out'),
  location: fc.constantFrom('fridge', 'freezer', 'pantry'),
  kind: fc.constantFrom('grocery', 'task'),
  store: fc.constantFrom('Costco', 'Aldi', null),
  text: recipeText,
  source: fc.constantFrom('https://example.com/pancakes', 'grandma'),
  notes: fc.constantFrom('family favourite', null),
  query: fc.constantFrom('pancake', 'omelette', 'soup', 'zzz'),
  tag: fc.constantFrom('breakfast', 'quick', 'none'),
  due: fc.constantFrom('2026-03-03T09:00:00+01:00', '2026-03-03T09:00:00Z', '2026-03-01T09:00:00Z'),
  time_zone: fc.constantFrom('Europe/Stockholm', 'UTC', 'America/New_York', 'Mars/Olympus'),
  digest_time: fc.constantFrom('08:00', '19:30', null),
  dry_run: fc.boolean(),
  checked: fc.boolean(),
  include_low: fc.boolean(),
  servings: small(1, 12),
  rating: small(1, 5),
  limit: small(1, 20),
  days: small(0, 30),
  max_missing: small(0, 5),
  event_id: fc.oneof({ arbitrary: fc.constantFrom(...known.eventIds), weight: 4 }, { arbitrary: fc.constantFrom(1, 2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER), weight: 1 }),
  before: fc.oneof(fc.constantFrom(...known.eventIds), fc.constantFrom(1, 2 ** 31, Number.MAX_SAFE_INTEGER)),
  id: fc.constantFrom(...known.recipeIds),
  note: fc.constantFrom('the organic one', '', ' '),
});

function fieldValue(values: Record<string, fc.Arbitrary<unknown>>, tool: ToolDefinition, field: string): fc.Arbitrary<unknown> {
  return values[`${tool.name}.${field}`] ?? values[field] ?? junk;
}

/**
 * Input for one tool: an object with its own fields, mostly plausible (so many calls reach the
 * handler) with junk mixed in; junk of any shape; objects with pollution keys or extra fields.
 */
function inputFor(tool: ToolDefinition, known: Known): fc.Arbitrary<unknown> {
  const values = fieldValues(known);
  const fields = Object.keys(tool.input.shape);
  // Required fields are always there in the plausible shape; optional ones come and go.
  const required = fields.filter((field) => !(tool.input.shape[field] as z.ZodType).safeParse(undefined).success);
  const shaped = objectOf(Object.fromEntries(fields.map((field) => [field, fieldValue(values, tool, field)])), required);
  return fc.oneof(
    { arbitrary: shaped, weight: 6 },
    { arbitrary: junk, weight: 1 },
    { arbitrary: shaped.map((value) => polluted(value)), weight: 1 },
    { arbitrary: fc.tuple(shaped, fc.dictionary(key, junk, { maxKeys: 3 })).map(([value, extra]) => ({ ...extra, ...value })), weight: 1 },
  );
}

// ---- the property --------------------------------------------------------------------------

let known: Record<string, string> | null = null;

/** Runs one call and checks what a call may do to the database. */
async function check(tool: ToolDefinition, args: unknown, ctx: RequestContext = home): Promise<ToolOutcome> {
  const before = known ?? (await fingerprint());
  const valid = tool.input.safeParse(args ?? {}).success;
  let outcome: ToolOutcome;
  try {
    outcome = await invokeTool(tool, { core: t.core, request: newRequest(ctx.householdId, ctx.actor) }, args, silentLogger());
  } catch (error) {
    throw new Error(`invokeTool threw for ${tool.name}: ${String(error)}`, { cause: error });
  }
  const stats = runsByTool.get(tool.name) ?? { runs: 0, valid: 0, ok: 0, failed: 0 };
  runsByTool.set(tool.name, stats);
  stats.runs += 1;
  if (valid) stats.valid += 1;
  expect(typeof outcome.ok).toBe('boolean');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  if (!valid) expect(outcome).toMatchObject({ ok: false, code: 'invalid:arguments' });
  const dryRun = typeof args === 'object' && args !== null && (args as { dry_run?: unknown }).dry_run === true;
  if (outcome.ok) {
    stats.ok += 1;
    if (tool.annotations.readOnlyHint || dryRun) {
      expect(await fingerprint(), `${tool.name} ${dryRun ? 'dry run' : 'only reads'} but changed the database`).toEqual(before);
      known = before;
    } else {
      known = null;
    }
  } else {
    stats.failed += 1;
    expect(outcome.code, `${tool.name}: ${outcome.error}`).not.toBe('internal');
    expect(outcome.error).not.toMatch(/\n\s+at /);
    expect(outcome.error.length).toBeLessThan(2000);
    const after = await fingerprint();
    expect(after, `${tool.name} failed (${outcome.code}) but changed the database`).toEqual(before);
    known = after;
  }
  return outcome;
}

describe('every tool, arbitrary input', () => {
  it('covers the whole registry', () => {
    expect(TOOLS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(TOOLS.map((tool) => tool.name)).size).toBe(TOOLS.length);
  });

  it.each(TOOLS.map((tool) => [tool.name, tool] as const))('%s: never throws, refuses bad input, and a failure changes nothing', async (_name, tool) => {
    // Each tool on a freshly seeded household of its own, so earlier tools' deletes leave it something to act on.
    const ctx = await t.household(`fuzz ${tool.name}`, { door: 'mcp', name: 'assistant' });
    const ids = await seed(ctx);
    known = null;
    // The edge cases first, every time: nothing, null, wrong types, a pollution attempt.
    for (const args of [undefined, null, {}, [], 'x', 42, true, polluted({}), { [Object.keys(tool.input.shape)[0] ?? 'x']: 'x'.repeat(20_000) }]) {
      await check(tool, args, ctx);
    }
    await fc.assert(
      fc.asyncProperty(inputFor(tool, ids), async (args) => {
        await check(tool, args, ctx);
      }),
      { numRuns: RUNS_PER_TOOL, seed: SEED, endOnFailure: true },
    );
    const stats = runsByTool.get(tool.name);
    expect(stats?.runs).toBe(RUNS_PER_TOOL + 9);
    // The arbitraries reach the handler, and some calls succeed: the fuzzing is not all schema errors.
    expect(stats?.valid).toBeGreaterThanOrEqual(5);
    expect(stats?.ok).toBeGreaterThanOrEqual(1);
  });

  it("never touched the other household's rows", async () => {
    expect(await otherHousehold()).toBe(otherAtStart);
  });
});

// ---- add_items with valid-shaped input ----------------------------------------------------

const quantityText = fc.oneof(
  plausibleQuantity,
  fc
    .tuple(fc.constantFrom('1', '2', '0.5', '3/4', 'two', 'a', '12', '0', '-1', '1000001', '999999', '1/0'), fc.constantFrom('', ' l', ' ml', ' g', ' kg', ' bottles', ' cans', ' parsecs', ' cups'))
    .map(([amount, unit]) => `${amount}${unit}`),
  fc.string({ maxLength: 12 }),
  fc.constant('q'.repeat(100)),
);
const validShapedItem = fc.record(
  {
    name: fc.oneof(
      { arbitrary: plausibleName, weight: 12 },
      { arbitrary: fc.string({ minLength: 1, maxLength: 30 }), weight: 1 },
      { arbitrary: fc.constantFrom('a'.repeat(200), 'a'.repeat(201), ' '.repeat(5), 'tab\u0001bell', '!!!'), weight: 1 },
    ),
    quantity: fc.oneof({ arbitrary: plausibleQuantity, weight: 6 }, { arbitrary: quantityText, weight: 1 }),
    note: fc.oneof({ arbitrary: fc.constantFrom('the organic one', ' ', ''), weight: 6 }, { arbitrary: fc.string({ maxLength: 30 }), weight: 1 }),
    category: fc.constantFrom('Dairy & Eggs', 'dairy', 'Produce', 'Frozen', 'Snacks', 'Household', 'Nonexistent'),
  },
  { requiredKeys: ['name'] },
);
const validShapedAdd = fc.record(
  {
    list: fc.constantFrom<string | number>('Costco', 'Shopping', 'shopping list', 'Costco', 'Tasks', 'Aldi', 1, 99),
    items: fc.oneof({ arbitrary: fc.array(validShapedItem, { minLength: 1, maxLength: 4 }), weight: 12 }, { arbitrary: fc.array(validShapedItem, { minLength: 99, maxLength: 101 }), weight: 1 }),
    dry_run: fc.boolean(),
  },
  { requiredKeys: ['items'] },
);

async function itemState(): Promise<{ items: number; adds: number; merges: number }> {
  const [row] = await queryRows<{ items: number; adds: number; merges: number }>(
    t.database.db,
    sql`select (select count(*)::int from items where household_id = ${home.householdId}) as items,
               (select count(*)::int from events where household_id = ${home.householdId} and kind = 'item.add') as adds,
               (select count(*)::int from events where household_id = ${home.householdId} and kind = 'item.merge') as merges`,
  );
  return row ?? { items: -1, adds: -1, merges: -1 };
}

describe('add_items with valid-shaped input', () => {
  it('either succeeds, with exactly its rows and events written, or fails and writes nothing', { timeout: 120_000 }, async () => {
    const tool = TOOLS_BY_NAME.get('add_items');
    if (!tool) throw new Error('no add_items');
    let succeeded = 0;
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(validShapedAdd, async (args) => {
        expect(tool.input.safeParse(args).success).toBe(args.items.length <= 100 && args.items.every((item) => item.name.length <= 200 && (item.quantity?.length ?? 0) <= 100));
        const before = await itemState();
        const outcome = await check(tool, args);
        const after = await itemState();
        if (!outcome.ok || args.dry_run) {
          expect(after).toEqual(before);
          if (!outcome.ok) failed += 1;
          return;
        }
        succeeded += 1;
        const results = outcome.output.items as Array<{ action: 'added' | 'merged'; item: { id: number; quantity: string | null } }>;
        expect(results).toHaveLength(args.items.length);
        const added = results.filter((result) => result.action === 'added').length;
        const merged = results.length - added;
        expect(after).toEqual({ items: before.items + added, adds: before.adds + added, merges: before.merges + merged });
        // What the tool says it wrote is what is stored.
        const ids = [...new Set(results.map((result) => result.item.id))];
        const stored = await queryRows<{ id: number; quantity: string | null }>(
          t.database.db,
          sql`select id::int as id, quantity from items where id in ${ids}`,
        );
        const last = new Map(results.map((result) => [result.item.id, result.item.quantity]));
        expect(new Map(stored.map((row) => [row.id, row.quantity]))).toEqual(last);
      }),
      { numRuns: ADD_ITEMS_RUNS, seed: SEED, endOnFailure: true },
    );
    // Both branches were exercised.
    expect(succeeded).toBeGreaterThan(10);
    expect(failed).toBeGreaterThan(10);
  });
});
