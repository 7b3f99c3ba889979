import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../context.ts';
import { namedStatement, preparedQuery, queryTableRows, tableRow, type Db, type DbOrTx, type Tx } from '../db/client.ts';
import type { ReadCache } from '../db/read-cache.ts';
import * as schema from '../db/schema.ts';
import { columnNames, toSnapshot } from '../db/snapshot.ts';
import { LarderError } from '../errors.ts';
import { cleanText, normalizeKey } from '../nlp/normalize.ts';
import { mergeQuantities, parseQuantity, singleAmount } from '../nlp/quantity.ts';
import type { CategoryChoice, CategoryService } from './categories.ts';
import { pgCode, type JournalService, type JournalWriter } from './journal.ts';
import { findOne } from './match.ts';
import { stockPantry } from './pantry.ts';
import { checkBatch, checkName, checkNote, checkQuantity, LIMITS } from './validate.ts';
import { categoryNameMap, itemView, listView, pantryView, type ItemView, type ListView, type PantryView } from './views.ts';

/** How a caller names a list: its name or store ("costco"), its id, or nothing for the default list. */
export type ListRef = string | number | null | undefined;

/** An item to add, as a person or an assistant says it. */
export interface ItemInput {
  name: string;
  quantity?: string | null;
  note?: string | null;
  /** A category named by the user: it is used and remembered for this item from now on. */
  category?: string | null;
}

export interface AddResult {
  list: ListView;
  items: Array<{ item: ItemView; action: 'added' | 'merged'; previousQuantity: string | null; categorySource: string }>;
  dryRun: boolean;
}

export interface CheckResult {
  list: ListView;
  items: ItemView[];
  notFound: string[];
  /** Pantry entries the ticked items stocked. */
  stocked: PantryView[];
}

export interface ListService {
  /** Every list of the household with how many items are still to get. */
  all(ctx: RequestContext): Promise<Array<ListView & { open: number; checked: number }>>;
  create(ctx: RequestContext, input: { name: string; kind?: 'grocery' | 'task'; store?: string | null }): Promise<ListView>;
  /** One list and its items, grouped in aisle order (unchecked first). */
  get(ctx: RequestContext, input?: { list?: ListRef }): Promise<{ list: ListView; items: ItemView[] }>;
  /** Adds items; one already unchecked on the list merges ("1 l" + "500 ml" → "1.5 l"). */
  add(
    ctx: RequestContext,
    input: { list?: ListRef; items: ItemInput[]; dryRun?: boolean; sourceRecipeId?: number | null },
  ): Promise<AddResult>;
  remove(ctx: RequestContext, input: { list?: ListRef; items: string[]; dryRun?: boolean }): Promise<{ list: ListView; items: ItemView[]; notFound: string[] }>;
  /** Ticks items off (or back on); ticking a grocery item stocks the pantry. */
  check(ctx: RequestContext, input: { list?: ListRef; items: string[]; checked?: boolean; stockPantry?: boolean }): Promise<CheckResult>;
  /** The same for one item by id (a ✓ button). */
  checkById(ctx: RequestContext, input: { itemId: number; checked: boolean }): Promise<CheckResult>;
  clearChecked(ctx: RequestContext, input?: { list?: ListRef; dryRun?: boolean }): Promise<{ list: ListView; items: ItemView[] }>;
  /** Moves an item to a category and remembers the choice for next time. */
  setCategory(ctx: RequestContext, input: { name: string; category: string }): Promise<{ category: string; items: ItemView[] }>;
  /** Adds a task (to the task list, created on first use) with an optional due time that also reminds. */
  addTask(ctx: RequestContext, input: { title: string; due?: Date | null; list?: ListRef; note?: string | null }): Promise<{ list: ListView; item: ItemView }>;
  /** Resolves a list reference inside a transaction or not. */
  resolve(householdId: number, ref: ListRef, tx?: DbOrTx): Promise<schema.List>;
  /** Adds items inside the caller's transaction: for requests that do more than one thing (restock, recipes). */
  addInTx(
    tx: Tx,
    journal: JournalWriter,
    ctx: RequestContext,
    list: schema.List,
    items: PreparedItem[],
    extra?: { sourceRecipeId?: number | null },
  ): Promise<AddResult['items']>;
  /** Validates and categorizes items before a transaction opens (categorizing may call the LLM). */
  prepare(ctx: RequestContext, items: ItemInput[]): Promise<PreparedItem[]>;
}

/** An item checked and categorized, ready to write. */
export interface PreparedItem {
  name: string;
  key: string;
  quantity: string | null;
  note: string | null;
  category: CategoryChoice;
  /** The user named this category: remember it. */
  chosen: schema.Category | null;
}

/** An item as first written to a list. */
function newItemValues(ctx: RequestContext, list: schema.List, item: PreparedItem, now: Date, sourceRecipeId: number | null) {
  const single = item.quantity === null ? null : singleAmount(parseQuantity(item.quantity));
  return {
    householdId: ctx.householdId,
    listId: list.id,
    name: item.name,
    key: item.key,
    quantity: item.quantity,
    amount: single?.amount ?? null,
    unit: single?.unit ?? null,
    categoryId: item.category.categoryId,
    note: item.note,
    addedBy: ctx.actor.name,
    sourceRecipeId,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * What an open item becomes when the same item is added again: quantities merged ("1 l" + "500
 * ml" → "1.5 l"), the new note if one was given; only a category the user named moves it (null
 * keeps its category).
 */
function mergedValues(before: schema.Item, item: PreparedItem) {
  const quantity = mergeQuantities(before.quantity, item.quantity);
  const single = quantity === null ? null : singleAmount(parseQuantity(quantity));
  return { quantity, amount: single?.amount ?? null, unit: single?.unit ?? null, note: item.note ?? before.note, categoryId: item.chosen?.id ?? null };
}

/** The journal's kind and line for an item added to a list, or merged into one already there. */
function itemEvent(list: schema.List, before: { quantity: string | null } | null, after: { name: string; quantity: string | null }) {
  return before
    ? { kind: 'item.merge', summary: `${after.name} on ${list.name}: ${before.quantity ?? 'some'} → ${after.quantity ?? 'some'}` }
    : { kind: 'item.add', summary: `added ${after.name}${after.quantity ? ` (${after.quantity})` : ''} to ${list.name}` };
}

/** One item of an add's result. */
function addedItem(item: PreparedItem, before: schema.Item | null, after: schema.Item, names: ReadonlyMap<number, string>): AddResult['items'][number] {
  return before
    ? { item: itemView(after, names), action: 'merged', previousQuantity: before.quantity, categorySource: item.category.source }
    : { item: itemView(after, names), action: 'added', previousQuantity: null, categorySource: item.category.source };
}

/** Words that mean "the default list" whatever it is called. */
const DEFAULT_LIST_WORDS = new Set(['', 'shopping', 'shopping list', 'grocery', 'groceries', 'grocery list', 'list', 'the list', 'default', 'my list', 'our list']);
const TASK_LIST_NAME = 'Tasks';

/** Whether a list reference means the default list ("shopping", "the list", nothing). */
function isDefaultRef(ref: ListRef): boolean {
  return ref === null || ref === undefined || (typeof ref === 'string' && DEFAULT_LIST_WORDS.has(cleanText(ref)));
}

/** "the Costco list" → "costco". */
function listWords(ref: string): string {
  return cleanText(ref)
    .replace(/^(?:the|my|our)\s+/, '')
    .replace(/\s+list$/, '')
    .trim();
}

export function createListService(deps: { db: Db; clock: Clock; journal: JournalService; categories: CategoryService; cache: ReadCache }): ListService {
  const { db, clock, journal, categories, cache } = deps;

  // Every request that names a list reads them: built once.
  const listsOfHousehold = preparedQuery(() =>
    db.select().from(schema.lists).where(eq(schema.lists.householdId, sql.placeholder('householdId'))).orderBy(asc(schema.lists.id)).prepare('larder_lists_of_household'),
  );
  // Every get_list reads this; the categories that order it come from the read cache.
  const itemsOfList = namedStatement(db, 'larder_items_of_list', () =>
    db.select().from(schema.items).where(eq(schema.items.listId, sql.placeholder('listId'))).getSQL(),
  );
  // The columns by name, not `*`: a named statement must keep its result's shape when a migration adds a column.
  const itemColumns = () => sql.join(columnNames(schema.items).map((name) => sql.identifier(name)), sql`, `);
  // The one-statement add (addAtOnce): its read, with each row's version, and its write.
  const openItemsWithVersions = namedStatement(
    db,
    'larder_open_items_with_versions',
    () =>
      sql`select xmin::text as row_version, ${itemColumns()} from items
          where list_id = ${sql.placeholder('listId')} and not checked and key = any(${sql.placeholder('keys')}::text[])`,
  );
  const addItemsAtOnce = namedStatement(
    db,
    'larder_add_items_at_once',
    () =>
      sql`select ${itemColumns()} from larder_add_items_at_once(${sql.placeholder('listId')}::bigint, ${sql.placeholder('householdId')}::bigint,
            ${sql.placeholder('merges')}::jsonb, ${sql.placeholder('inserts')}::jsonb, ${sql.placeholder('events')}::jsonb, ${sql.placeholder('requestId')}::uuid,
            ${sql.placeholder('door')}::text, ${sql.placeholder('actor')}::text, ${sql.placeholder('now')}::timestamptz)`,
  );

  async function listsOf(householdId: number, tx: DbOrTx = db) {
    // Outside a transaction the kept copy serves; a write reads what it locks and changes.
    if (tx === db) return cache.get(householdId, 'lists', () => listsOfHousehold().execute({ householdId }));
    return tx.select().from(schema.lists).where(eq(schema.lists.householdId, householdId)).orderBy(asc(schema.lists.id));
  }

  async function resolve(householdId: number, ref: ListRef, tx: DbOrTx = db): Promise<schema.List> {
    const all = await listsOf(householdId, tx);
    const fallback = all.find((list) => list.isDefault);
    // null and undefined spelled out as well, so `ref` narrows for what follows.
    if (ref === null || ref === undefined || isDefaultRef(ref)) {
      if (!fallback) throw new LarderError('not_found:list', 'This household has no default list.');
      return fallback;
    }
    if (typeof ref === 'number') {
      const byId = all.find((list) => list.id === ref);
      if (!byId) throw new LarderError('not_found:list', `There is no list #${ref} in this household.`);
      return byId;
    }
    const wanted = listWords(ref);
    if (wanted.length > LIMITS.name) throw new LarderError('invalid:list', `A list name can be at most ${LIMITS.name} characters.`);
    const same = (text: string | null) => text !== null && (listWords(text) === wanted || normalizeKey(text) === normalizeKey(wanted));
    const found =
      all.find((list) => same(list.name)) ??
      all.find((list) => same(list.store)) ??
      (DEFAULT_LIST_WORDS.has(wanted) ? fallback : undefined);
    if (found) return found;
    const prefixed = all.filter((list) => listWords(list.name).startsWith(wanted) || (list.store !== null && listWords(list.store).startsWith(wanted)));
    if (prefixed.length === 1 && prefixed[0]) return prefixed[0];
    throw new LarderError(
      'not_found:list',
      `There is no list called "${ref.trim()}". Lists: ${all.map((list) => list.name).join(', ')}. Create it first ("create list ${wanted}").`,
      { candidates: all.map((list) => list.name) },
    );
  }

  async function namesOf(householdId: number, tx: DbOrTx = db) {
    return categoryNameMap(await categories.list(householdId, tx));
  }

  /**
   * Category names for an add's results: categorizing the items just read them; they are read
   * again only when a merged item sits in a category none of the items was given.
   */
  async function resultNames(householdId: number, prepared: readonly PreparedItem[], written: readonly schema.Item[], tx: DbOrTx = db) {
    const names = new Map<number, string>();
    for (const item of prepared) {
      names.set(item.category.categoryId, item.category.category);
      if (item.chosen) names.set(item.chosen.id, item.chosen.name);
    }
    return written.some((row) => row.categoryId !== null && !names.has(row.categoryId)) ? namesOf(householdId, tx) : names;
  }

  async function all(ctx: RequestContext) {
    const lists = await listsOf(ctx.householdId);
    const counts = await db
      .select({
        listId: schema.items.listId,
        open: sql<number>`count(*) filter (where not ${schema.items.checked})`.mapWith(Number),
        checked: sql<number>`count(*) filter (where ${schema.items.checked})`.mapWith(Number),
      })
      .from(schema.items)
      .where(eq(schema.items.householdId, ctx.householdId))
      .groupBy(schema.items.listId);
    const byList = new Map(counts.map((row) => [row.listId, row]));
    return lists.map((list) => ({ ...listView(list), open: byList.get(list.id)?.open ?? 0, checked: byList.get(list.id)?.checked ?? 0 }));
  }

  async function create(ctx: RequestContext, input: { name: string; kind?: 'grocery' | 'task'; store?: string | null }) {
    const { name } = checkName(input.name, 'list');
    const store = input.store == null || input.store.trim() === '' ? null : checkName(input.store, 'store').name;
    return journal.write(ctx, async (tx, log) => {
      const lists = await listsOf(ctx.householdId, tx);
      const clash = lists.find((list) => list.name.toLowerCase() === name.toLowerCase());
      if (clash) throw new LarderError('conflict:list', `There is already a list called "${clash.name}".`);
      const now = clock.now();
      const [row] = await tx
        .insert(schema.lists)
        .values({ householdId: ctx.householdId, name, kind: input.kind ?? 'grocery', store, createdAt: now, updatedAt: now })
        .returning();
      if (!row) throw new LarderError('conflict:list', `Could not create the list "${name}".`);
      log.record({ kind: 'list.create', entity: 'list', before: null, after: row, summary: `created the list ${row.name}` });
      return listView(row);
    });
  }

  async function get(ctx: RequestContext, input: { list?: ListRef } = {}) {
    const list = await resolve(ctx.householdId, input.list);
    // The items and the categories (aisle order, names) side by side: kept in memory, the
    // categories cost nothing, and the items need no join.
    const [raw, all] = await Promise.all([itemsOfList({ listId: list.id }), categories.list(ctx.householdId)]);
    const rows = raw.map((row) => tableRow(schema.items, row));
    const position = new Map(all.map((category) => [category.id, category.position]));
    const names = categoryNameMap(all);
    const sorted = rows.sort(
      (a, b) =>
        Number(a.checked) - Number(b.checked) ||
        (position.get(a.categoryId ?? -1) ?? 999) - (position.get(b.categoryId ?? -1) ?? 999) ||
        a.name.localeCompare(b.name) ||
        a.id - b.id,
    );
    return { list: listView(list), items: sorted.map((row) => itemView(row, names)) };
  }

  async function prepare(ctx: RequestContext, inputs: ItemInput[]): Promise<PreparedItem[]> {
    checkBatch(inputs);
    const checked = inputs.map((input) => {
      const { name, key } = checkName(input.name);
      return { name, key, quantity: checkQuantity(input.quantity).text, note: checkNote(input.note), categoryName: input.category?.trim() || null };
    });
    const chosen = new Map<string, schema.Category>();
    const named = checked.flatMap((item) => (item.categoryName ? [{ key: item.key, name: item.categoryName }] : []));
    if (named.length > 0) {
      // One read of the categories for every name given, not one per item.
      const resolved = await categories.resolveMany(ctx.householdId, named.map((item) => item.name));
      named.forEach((item, index) => {
        const category = resolved[index];
        if (category) chosen.set(item.key, category);
      });
    }
    const guessed = await categories.categorize(
      ctx.householdId,
      checked.filter((item) => !chosen.has(item.key)).map((item) => item.key),
    );
    return checked.map((item) => {
      const picked = chosen.get(item.key);
      const category: CategoryChoice | undefined = picked
        ? { key: item.key, categoryId: picked.id, category: picked.name, source: 'user' }
        : guessed.get(item.key);
      if (!category) throw new LarderError('not_found:category', `No category for ${item.name}.`);
      return { name: item.name, key: item.key, quantity: item.quantity, note: item.note, category, chosen: picked ?? null };
    });
  }

  async function addInTx(
    tx: Tx,
    log: JournalWriter,
    ctx: RequestContext,
    list: schema.List,
    prepared: PreparedItem[],
    extra: { sourceRecipeId?: number | null } = {},
  ): Promise<AddResult['items']> {
    // Locks the list, then reads its open items with these keys (one call, drizzle/0003): adds to
    // one list run one after another, since the merge below reads then writes and must not lose an update.
    const keys = prepared.map((item) => item.key);
    const existing = await queryTableRows(tx, schema.items, sql`select * from larder_lock_open_items(${list.id}::bigint, ${sql.param(keys)}::text[])`);
    await categories.rememberLlmChoices(tx, log, ctx.householdId, prepared.map((item) => item.category));
    const open = new Map(existing.map((row) => [row.key, row]));
    const now = clock.now();
    const learned = await categories.learnMany(
      tx,
      ctx.householdId,
      prepared.flatMap((item) => (item.chosen ? [{ key: item.key, category: item.chosen }] : [])),
    );

    // Each item's row before and after, written in waves of one write per key: one INSERT for the
    // new keys and one UPDATE for the merges per wave, so round trips do not grow with the batch.
    // A key said twice in one batch ("milk, … milk") merges in a second wave, as it did one by one.
    const steps: Array<{ before: schema.Item | null; after: schema.Item }> = [];
    let pending = prepared.map((item, index) => ({ item, index }));
    while (pending.length > 0) {
      const wave: typeof pending = [];
      const later: typeof pending = [];
      const inWave = new Set<string>();
      for (const entry of pending) {
        if (inWave.has(entry.item.key)) later.push(entry);
        else {
          inWave.add(entry.item.key);
          wave.push(entry);
        }
      }
      const inserts = wave.filter((entry) => !open.has(entry.item.key));
      const merges = wave.flatMap((entry) => {
        const before = open.get(entry.item.key);
        return before ? [{ ...entry, before }] : [];
      });
      const inserted = await insertItems(tx, ctx, list, inserts.map((entry) => entry.item), now, extra.sourceRecipeId ?? null);
      const merged = await mergeItems(tx, merges, now);
      for (const entry of inserts) {
        const after = inserted.get(entry.item.key);
        if (!after) throw new LarderError('conflict:item', `Could not add ${entry.item.name}.`);
        steps[entry.index] = { before: null, after };
        open.set(entry.item.key, after);
      }
      for (const entry of merges) {
        const after = merged.get(entry.before.id);
        if (!after) throw new LarderError('conflict:item', `Could not update ${entry.item.name}.`);
        steps[entry.index] = { before: entry.before, after };
        open.set(entry.item.key, after);
      }
      pending = later;
    }

    const names = await resultNames(ctx.householdId, prepared, steps.map((step) => step.after), tx);

    // Journal events and results in the order the items were given, as when written one by one.
    const results: AddResult['items'] = [];
    let learnedIndex = 0;
    prepared.forEach((item, index) => {
      if (item.chosen) {
        const change = learned[learnedIndex++];
        if (change) log.record(change);
      }
      const step = steps[index];
      if (!step) throw new LarderError('conflict:item', `Could not add ${item.name}.`);
      const { before, after } = step;
      log.record({ ...itemEvent(list, before, after), entity: 'item', before, after });
      results.push(addedItem(item, before, after, names));
    });
    return results;
  }

  /**
   * The common add in two statements instead of five (BEGIN, lock and read, write, journal,
   * COMMIT): read the open items with these keys and their row versions, work out every write,
   * then `larder_add_items_at_once` (drizzle/0005) locks the list and writes the items with their
   * journal events in one statement, each merge only onto a row still as it was read. Null when
   * this add needs more (a category to learn or an LLM answer to remember, a key said twice) or
   * the list changed since the read: the caller then takes the locking path.
   */
  async function addAtOnce(ctx: RequestContext, list: schema.List, prepared: PreparedItem[], sourceRecipeId: number | null): Promise<AddResult['items'] | null> {
    const keys = prepared.map((item) => item.key);
    if (new Set(keys).size !== keys.length || prepared.some((item) => item.chosen !== null || item.category.source === 'llm')) return null;
    const versions = new Map<number, string>();
    const open = new Map<string, schema.Item>();
    for (const raw of await openItemsWithVersions({ listId: list.id, keys })) {
      const row = tableRow(schema.items, raw);
      versions.set(row.id, String(raw.row_version));
      open.set(row.key, row);
    }
    const now = clock.now();
    // Rows for the function's jsonb_to_recordset, keyed by column name.
    const merges: Array<Record<string, unknown>> = [];
    const inserts: Array<Record<string, unknown>> = [];
    const events: Array<Record<string, unknown>> = [];
    prepared.forEach((item, position) => {
      const before = open.get(item.key) ?? null;
      if (before) {
        const merged = mergedValues(before, item);
        const { quantity, amount, unit, note, categoryId } = merged;
        merges.push({ id: before.id, version: versions.get(before.id), quantity, amount, unit, note, category_id: categoryId });
        events.push({ position, key: item.key, ...itemEvent(list, before, { name: before.name, quantity: merged.quantity }), before: toSnapshot(schema.items, before) });
      } else {
        const row = newItemValues(ctx, list, item, now, sourceRecipeId);
        const { name, key, quantity, amount, unit, note } = row;
        inserts.push({ name, key, quantity, amount, unit, note, category_id: row.categoryId, added_by: row.addedBy, source_recipe_id: row.sourceRecipeId });
        events.push({ position, key: item.key, ...itemEvent(list, null, row), before: null });
      }
    });
    let written: schema.Item[];
    try {
      const rows = await addItemsAtOnce({
        listId: list.id,
        householdId: ctx.householdId,
        merges: JSON.stringify(merges),
        inserts: JSON.stringify(inserts),
        events: JSON.stringify(events),
        requestId: ctx.requestId,
        door: ctx.actor.door,
        actor: ctx.actor.name,
        now: now.toISOString(),
      });
      written = rows.map((row) => tableRow(schema.items, row));
    } catch (error) {
      // Another add got there between the read and the write: nothing was written.
      if (pgCode(error) === 'LR409' || pgCode(error) === '23505') return null;
      throw error;
    }
    const byKey = new Map(written.map((row) => [row.key, row]));
    const names = await resultNames(ctx.householdId, prepared, written);
    const results: AddResult['items'] = [];
    for (const item of prepared) {
      const after = byKey.get(item.key);
      if (!after) throw new LarderError('conflict:item', `Could not add ${item.name}.`);
      results.push(addedItem(item, open.get(item.key) ?? null, after, names));
    }
    return results;
  }

  /** New items in one INSERT; the rows by key (keys are distinct: one wave). */
  async function insertItems(
    tx: Tx,
    ctx: RequestContext,
    list: schema.List,
    items: PreparedItem[],
    now: Date,
    sourceRecipeId: number | null,
  ): Promise<Map<string, schema.Item>> {
    if (items.length === 0) return new Map();
    const rows = await tx
      .insert(schema.items)
      .values(items.map((item) => newItemValues(ctx, list, item, now, sourceRecipeId)))
      .returning();
    return new Map(rows.map((row) => [row.key, row]));
  }

  /** Merges into open items in one UPDATE … FROM (VALUES …); the rows after, by id. */
  async function mergeItems(tx: Tx, merges: Array<{ item: PreparedItem; before: schema.Item }>, now: Date): Promise<Map<number, schema.Item>> {
    if (merges.length === 0) return new Map();
    const rows = merges.map(({ item, before }) => {
      const merged = mergedValues(before, item);
      return sql`(${before.id}::bigint, ${merged.quantity}::text, ${merged.amount}::double precision, ${merged.unit}::text, ${merged.note}::text, ${merged.categoryId}::bigint)`;
    });
    // Written as SQL: drizzle's update builder took longer to build this than the database to run it.
    // Only a category the user named moves the item; otherwise it stays where it is.
    const updated = await queryTableRows(
      tx,
      schema.items,
      sql`update items set quantity = v.quantity, amount = v.amount, unit = v.unit, note = v.note,
            category_id = coalesce(v.category_id, items.category_id), updated_at = ${now.toISOString()}::timestamptz
          from (values ${sql.join(rows, sql`, `)}) as v(id, quantity, amount, unit, note, category_id)
          where items.id = v.id
          returning items.*`,
    );
    return new Map(updated.map((row) => [row.id, row]));
  }

  async function add(ctx: RequestContext, input: { list?: ListRef; items: ItemInput[]; dryRun?: boolean; sourceRecipeId?: number | null }) {
    // The list and the items' categories are read side by side (one wait on PostgreSQL, not two);
    // a problem with the list is still the one reported.
    const preparing = prepare(ctx, input.items);
    preparing.catch(() => undefined);
    const list = await resolve(ctx.householdId, input.list);
    if (list.kind === 'task') {
      throw new LarderError('invalid:list', `${list.name} is a task list; add tasks to it with add_task.`);
    }
    const prepared = await preparing;
    const dryRun = input.dryRun ?? false;
    const sourceRecipeId = input.sourceRecipeId ?? null;
    const atOnce = dryRun ? null : await addAtOnce(ctx, list, prepared, sourceRecipeId);
    const items = atOnce ?? (await journal.write(ctx, (tx, log) => addInTx(tx, log, ctx, list, prepared, { sourceRecipeId }), { dryRun }));
    return { list: listView(list), items, dryRun };
  }

  /** Finds the rows named, collecting names that match nothing; an ambiguous name is an error. */
  function pick(rows: schema.Item[], wanted: string[], where: string) {
    const found: schema.Item[] = [];
    const notFound: string[] = [];
    for (const name of wanted) {
      try {
        const row = findOne(rows, name, 'item', where);
        if (!found.includes(row)) found.push(row);
      } catch (error) {
        if (error instanceof LarderError && error.family === 'not_found') notFound.push(name);
        else throw error;
      }
    }
    if (found.length === 0) {
      throw new LarderError('not_found:item', `${notFound.map((name) => `"${name}"`).join(', ')} ${notFound.length === 1 ? 'is' : 'are'} not ${where}.`, {
        notFound,
      });
    }
    return { found, notFound };
  }

  async function remove(ctx: RequestContext, input: { list?: ListRef; items: string[]; dryRun?: boolean }) {
    checkBatch(input.items);
    const list = await resolve(ctx.householdId, input.list);
    const names = await namesOf(ctx.householdId);
    return journal.write(
      ctx,
      async (tx, log) => {
        await tx.select({ id: schema.lists.id }).from(schema.lists).where(eq(schema.lists.id, list.id)).for('update');
        const rows = await tx.select().from(schema.items).where(eq(schema.items.listId, list.id));
        // Prefer what is still to buy: "remove milk" means the open milk, not last week's ticked one.
        const open = rows.filter((row) => !row.checked);
        const { found, notFound } = pick(open.length > 0 ? open : rows, input.items, `on ${list.name}`);
        await tx.delete(schema.items).where(inArray(schema.items.id, found.map((row) => row.id)));
        for (const row of found) {
          log.record({ kind: 'item.remove', entity: 'item', before: row, after: null, summary: `removed ${row.name} from ${list.name}` });
        }
        return { list: listView(list), items: found.map((row) => itemView(row, names)), notFound };
      },
      { dryRun: input.dryRun ?? false },
    );
  }

  async function setChecked(
    tx: Tx,
    log: JournalWriter,
    ctx: RequestContext,
    list: schema.List,
    rows: schema.Item[],
    checked: boolean,
    stock: boolean,
  ) {
    const now = clock.now();
    const names = await namesOf(ctx.householdId, tx);
    const changed: ItemView[] = [];
    const stocked: PantryView[] = [];
    for (const before of rows) {
      if (before.checked === checked) continue;
      const [after] = await tx
        .update(schema.items)
        .set({ checked, checkedAt: checked ? now : null, updatedAt: now })
        .where(eq(schema.items.id, before.id))
        .returning();
      if (!after) throw new LarderError('conflict:item', `Could not tick ${before.name}.`);
      log.record({
        kind: checked ? 'item.check' : 'item.uncheck',
        entity: 'item',
        before,
        after,
        summary: checked ? `ticked off ${after.name}` : `put ${after.name} back on ${list.name}`,
      });
      changed.push(itemView(after, names));
      if (checked && stock && list.kind === 'grocery') {
        const entry = await stockPantry(
          tx,
          log,
          ctx.householdId,
          {
            name: after.name,
            key: after.key,
            quantity: after.quantity,
            categoryId: after.categoryId,
            // Where it was bought is where it goes next time.
            preferredStore: list.store ?? (list.isDefault ? null : list.name),
          },
          now,
        );
        stocked.push(pantryView(entry, names));
      }
    }
    return { changed, stocked };
  }

  async function check(ctx: RequestContext, input: { list?: ListRef; items: string[]; checked?: boolean; stockPantry?: boolean }) {
    checkBatch(input.items);
    const checked = input.checked ?? true;
    const list = await resolve(ctx.householdId, input.list);
    return journal.write(ctx, async (tx, log) => {
      await tx.select({ id: schema.lists.id }).from(schema.lists).where(eq(schema.lists.id, list.id)).for('update');
      const rows = await tx
        .select()
        .from(schema.items)
        .where(and(eq(schema.items.listId, list.id), eq(schema.items.checked, !checked)));
      const { found, notFound } = pick(rows, input.items, checked ? `left to get on ${list.name}` : `ticked on ${list.name}`);
      const { changed, stocked } = await setChecked(tx, log, ctx, list, found, checked, input.stockPantry ?? true);
      return { list: listView(list), items: changed, notFound, stocked };
    });
  }

  async function checkById(ctx: RequestContext, input: { itemId: number; checked: boolean }) {
    return journal.write(ctx, async (tx, log) => {
      const [row] = await tx
        .select()
        .from(schema.items)
        .where(and(eq(schema.items.id, input.itemId), eq(schema.items.householdId, ctx.householdId)))
        .for('update');
      if (!row) throw new LarderError('not_found:item', 'That item is no longer on the list.');
      const [list] = await tx.select().from(schema.lists).where(eq(schema.lists.id, row.listId));
      if (!list) throw new LarderError('not_found:list', 'That list no longer exists.');
      const { changed, stocked } = await setChecked(tx, log, ctx, list, [row], input.checked, true);
      return { list: listView(list), items: changed, notFound: [], stocked };
    });
  }

  async function clearChecked(ctx: RequestContext, input: { list?: ListRef; dryRun?: boolean } = {}) {
    const list = await resolve(ctx.householdId, input.list);
    const names = await namesOf(ctx.householdId);
    return journal.write(
      ctx,
      async (tx, log) => {
        const rows = await tx
          .delete(schema.items)
          .where(and(eq(schema.items.listId, list.id), eq(schema.items.checked, true)))
          .returning();
        for (const row of rows) {
          log.record({ kind: 'item.clear', entity: 'item', before: row, after: null, summary: `cleared ${row.name} from ${list.name}` });
        }
        return { list: listView(list), items: rows.map((row) => itemView(row, names)) };
      },
      { dryRun: input.dryRun ?? false },
    );
  }

  async function setCategory(ctx: RequestContext, input: { name: string; category: string }) {
    const { key } = checkName(input.name);
    const category = await categories.resolve(ctx.householdId, input.category);
    const names = await namesOf(ctx.householdId);
    return journal.write(ctx, async (tx, log) => {
      await categories.learn(tx, log, ctx.householdId, key, category);
      const rows = await tx
        .select()
        .from(schema.items)
        .where(and(eq(schema.items.householdId, ctx.householdId), eq(schema.items.key, key)))
        .for('update');
      const updated: ItemView[] = [];
      for (const before of rows) {
        if (before.categoryId === category.id) continue;
        const [after] = await tx
          .update(schema.items)
          .set({ categoryId: category.id, updatedAt: clock.now() })
          .where(eq(schema.items.id, before.id))
          .returning();
        if (!after) continue;
        log.record({ kind: 'item.category', entity: 'item', before, after, summary: `moved ${after.name} to ${category.name}` });
        updated.push(itemView(after, names));
      }
      const pantryRows = await tx
        .select()
        .from(schema.pantryItems)
        .where(and(eq(schema.pantryItems.householdId, ctx.householdId), eq(schema.pantryItems.key, key)))
        .for('update');
      for (const before of pantryRows) {
        if (before.categoryId === category.id) continue;
        const [after] = await tx
          .update(schema.pantryItems)
          .set({ categoryId: category.id, updatedAt: clock.now() })
          .where(eq(schema.pantryItems.id, before.id))
          .returning();
        if (after) log.record({ kind: 'pantry.category', entity: 'pantry', before, after, summary: `moved ${after.name} to ${category.name} in the pantry` });
      }
      return { category: category.name, items: updated };
    });
  }

  async function addTask(ctx: RequestContext, input: { title: string; due?: Date | null; list?: ListRef; note?: string | null }) {
    const { name, key } = checkName(input.title, 'task');
    const note = checkNote(input.note);
    if (input.due && Number.isNaN(input.due.getTime())) throw new LarderError('invalid:due', 'That due time is not a valid time.');
    return journal.write(ctx, async (tx, log) => {
      const now = clock.now();
      let list: schema.List;
      if (input.list === undefined || input.list === null) {
        const lists = await listsOf(ctx.householdId, tx);
        const existing = lists.find((candidate) => candidate.kind === 'task');
        if (existing) list = existing;
        else {
          const [created] = await tx
            .insert(schema.lists)
            .values({ householdId: ctx.householdId, name: TASK_LIST_NAME, kind: 'task', createdAt: now, updatedAt: now })
            .onConflictDoNothing()
            .returning();
          if (created) {
            log.record({ kind: 'list.create', entity: 'list', before: null, after: created, summary: `created the list ${created.name}` });
            list = created;
          } else {
            // Another request made it a moment ago (the insert waited for it): this statement sees it.
            const made = (await listsOf(ctx.householdId, tx)).find((candidate) => candidate.kind === 'task');
            if (!made) throw new LarderError('conflict:list', `A list called ${TASK_LIST_NAME} exists but is not a task list.`);
            list = made;
          }
        }
      } else {
        list = await resolve(ctx.householdId, input.list, tx);
      }
      await tx.select({ id: schema.lists.id }).from(schema.lists).where(eq(schema.lists.id, list.id)).for('update');
      const [clash] = await tx
        .select()
        .from(schema.items)
        .where(and(eq(schema.items.listId, list.id), eq(schema.items.key, key), eq(schema.items.checked, false)));
      if (clash) throw new LarderError('conflict:item', `"${clash.name}" is already on ${list.name}.`);
      const [row] = await tx
        .insert(schema.items)
        .values({
          householdId: ctx.householdId,
          listId: list.id,
          name,
          key,
          note,
          addedBy: ctx.actor.name,
          dueAt: input.due ?? null,
          remindAt: input.due ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!row) throw new LarderError('conflict:item', `Could not add the task ${name}.`);
      log.record({ kind: 'task.add', entity: 'item', before: null, after: row, summary: `added the task "${row.name}"${row.dueAt ? ` due ${row.dueAt.toISOString()}` : ''}` });
      return { list: listView(list), item: itemView(row, new Map()) };
    });
  }

  return { all, create, get, add, remove, check, checkById, clearChecked, setCategory, addTask, resolve, addInTx, prepare };
}
