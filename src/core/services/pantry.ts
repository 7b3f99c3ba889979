import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../context.ts';
import type { Db, Tx } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import { LarderError } from '../errors.ts';
import { formatQuantity, mergeQuantities, parseQuantity, singleAmount } from '../nlp/quantity.ts';
import { localDate, addDays } from '../time.ts';
import type { CategoryService } from './categories.ts';
import type { JournalService, JournalWriter } from './journal.ts';
import { findOne } from './match.ts';
import { checkBatch, checkDate, checkName, checkNote, checkQuantity, LIMITS } from './validate.ts';
import type { AddResult, ListService, PreparedItem } from './lists.ts';
import { categoryNameMap, listView, pantryView, type ListView, type PantryView } from './views.ts';

export type PantryStatus = 'have' | 'low' | 'out';

/** A pantry change as typed: only the fields given are changed. */
export interface PantryInput {
  name: string;
  /** "2 l", "500 g", "3": replaces the amount held. */
  quantity?: string | null;
  status?: PantryStatus;
  location?: string | null;
  expiresOn?: string | null;
  openedOn?: string | null;
  preferredStore?: string | null;
  category?: string | null;
  note?: string | null;
}

export interface PantryService {
  list(ctx: RequestContext, filter?: { status?: PantryStatus; location?: string }): Promise<PantryView[]>;
  /** Adds or changes pantry entries (upsert by name). */
  update(ctx: RequestContext, input: { items: PantryInput[]; dryRun?: boolean }): Promise<{ items: Array<{ item: PantryView; action: 'added' | 'updated' }> }>;
  remove(ctx: RequestContext, input: { names: string[]; dryRun?: boolean }): Promise<{ removed: PantryView[]; notFound: string[] }>;
  /** Adds bought things to the pantry: amounts add up, status back to have (a receipt, "I bought…"). */
  stock(ctx: RequestContext, input: { items: Array<{ name: string; quantity?: string | null; expiresOn?: string | null; location?: string | null }>; dryRun?: boolean }): Promise<{ items: PantryView[] }>;
  /**
   * Puts low and out entries (or the ones named) on a list: the list of their preferred store when
   * there is one, else the default list. One request, one undo.
   */
  restock(ctx: RequestContext, input?: { names?: string[]; dryRun?: boolean }): Promise<{ lists: Array<{ list: ListView; items: AddResult['items'] }> }>;
  /** Entries expiring within `days` (default 3) of today in the household's time zone, soonest first; already expired included. */
  expiring(ctx: RequestContext, input?: { days?: number }): Promise<Array<PantryView & { daysLeft: number }>>;
}

/** What a bought or added item puts into the pantry. */
export interface StockInput {
  name: string;
  key: string;
  quantity: string | null;
  categoryId: number | null;
  preferredStore: string | null;
}

/**
 * Puts a bought item into the pantry inside the caller's transaction: a new entry, or more of
 * an existing one (amounts added when the units agree, status back to `have`).
 */
export async function stockPantry(
  tx: Tx,
  journal: JournalWriter,
  householdId: number,
  input: StockInput,
  now: Date,
): Promise<schema.PantryItem> {
  const [before] = await tx
    .select()
    .from(schema.pantryItems)
    .where(and(eq(schema.pantryItems.householdId, householdId), eq(schema.pantryItems.key, input.key)))
    .for('update');
  const bought = input.quantity === null ? null : singleAmount(parseQuantity(input.quantity));
  if (!before) {
    const [created] = await tx
      .insert(schema.pantryItems)
      .values({
        householdId,
        name: input.name,
        key: input.key,
        amount: bought?.amount ?? null,
        unit: bought?.unit ?? null,
        status: 'have',
        categoryId: input.categoryId,
        preferredStore: input.preferredStore,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!created) throw new LarderError('conflict:pantry', `Could not stock ${input.name}.`);
    journal.record({ kind: 'pantry.stock', entity: 'pantry', before: null, after: created, summary: `stocked ${describe(created)}` });
    return created;
  }
  let amount = before.amount;
  let unit = before.unit;
  if (bought) {
    const held = before.status === 'out' || before.amount === null ? null : formatQuantity([{ amount: before.amount, unit: before.unit }]);
    const merged = singleAmount(parseQuantity(mergeQuantities(held, input.quantity) ?? ''));
    // Units that don't add up ("2 bottles" + "1 kg"): keep what was bought, it is the fresher fact.
    amount = merged?.amount ?? bought.amount;
    unit = merged ? merged.unit : bought.unit;
  } else if (before.status === 'out') {
    amount = null;
    unit = null;
  }
  const [after] = await tx
    .update(schema.pantryItems)
    .set({
      amount,
      unit,
      status: 'have',
      categoryId: before.categoryId ?? input.categoryId,
      preferredStore: input.preferredStore ?? before.preferredStore,
      updatedAt: now,
    })
    .where(eq(schema.pantryItems.id, before.id))
    .returning();
  if (!after) throw new LarderError('conflict:pantry', `Could not stock ${input.name}.`);
  journal.record({ kind: 'pantry.stock', entity: 'pantry', before, after, summary: `stocked ${describe(after)}` });
  return after;
}

/** "milk (1.5 l)", "rice (out)". */
export function describe(entry: Pick<schema.PantryItem, 'name' | 'amount' | 'unit' | 'status'>): string {
  if (entry.status !== 'have') return `${entry.name} (${entry.status})`;
  if (entry.amount === null) return entry.name;
  return `${entry.name} (${formatQuantity([{ amount: entry.amount, unit: entry.unit }])})`;
}

function checkText(value: string | null | undefined, what: string): string | null {
  if (value == null) return null;
  const cleaned = value.trim();
  if (cleaned === '') return null;
  if (cleaned.length > LIMITS.name) throw new LarderError(`invalid:${what}`, `The ${what} can be at most ${LIMITS.name} characters.`);
  return cleaned;
}

export function createPantryService(deps: {
  db: Db;
  clock: Clock;
  journal: JournalService;
  categories: CategoryService;
  lists: ListService;
  timeZoneOf: (householdId: number) => Promise<string>;
}): PantryService {
  const { db, clock, journal, categories, lists, timeZoneOf } = deps;

  async function rowsOf(tx: Db | Tx, householdId: number) {
    return tx.select().from(schema.pantryItems).where(eq(schema.pantryItems.householdId, householdId));
  }

  async function list(ctx: RequestContext, filter: { status?: PantryStatus; location?: string } = {}) {
    const [rows, all] = await Promise.all([
      db
        .select()
        .from(schema.pantryItems)
        .where(
          and(
            eq(schema.pantryItems.householdId, ctx.householdId),
            filter.status ? eq(schema.pantryItems.status, filter.status) : undefined,
            filter.location ? eq(schema.pantryItems.location, filter.location.trim().toLowerCase()) : undefined,
          ),
        ),
      categories.list(ctx.householdId),
    ]);
    const position = new Map(all.map((category) => [category.id, category.position]));
    const names = categoryNameMap(all);
    return rows
      .sort(
        (a, b) =>
          (position.get(a.categoryId ?? -1) ?? 999) - (position.get(b.categoryId ?? -1) ?? 999) || a.name.localeCompare(b.name),
      )
      .map((row) => pantryView(row, names));
  }

  async function update(ctx: RequestContext, input: { items: PantryInput[]; dryRun?: boolean }) {
    checkBatch(input.items);
    const checked = input.items.map((item) => {
      const { name, key } = checkName(item.name);
      if (item.status !== undefined && !['have', 'low', 'out'].includes(item.status)) {
        throw new LarderError('invalid:status', `"${String(item.status)}" is not a pantry status; use have, low or out.`);
      }
      return {
        ...item,
        name,
        key,
        quantity: item.quantity === undefined ? undefined : checkQuantity(item.quantity),
        expiresOn: item.expiresOn === undefined ? undefined : checkDate(item.expiresOn, 'expiry date'),
        openedOn: item.openedOn === undefined ? undefined : checkDate(item.openedOn, 'opened date'),
        location: item.location === undefined ? undefined : checkText(item.location, 'location')?.toLowerCase() ?? null,
        preferredStore: item.preferredStore === undefined ? undefined : checkText(item.preferredStore, 'store'),
        note: item.note === undefined ? undefined : checkNote(item.note),
      };
    });
    const explicit = new Map<string, schema.Category>();
    for (const item of checked) {
      if (item.category) explicit.set(item.key, await categories.resolve(ctx.householdId, item.category));
    }
    const guessed = await categories.categorize(
      ctx.householdId,
      checked.filter((item) => !explicit.has(item.key)).map((item) => item.name),
    );
    const names = categoryNameMap(await categories.list(ctx.householdId));

    return journal.write(
      ctx,
      async (tx, log) => {
        const now = clock.now();
        await categories.rememberLlmChoices(tx, log, ctx.householdId, guessed.values());
        const existing = await tx
          .select()
          .from(schema.pantryItems)
          .where(and(eq(schema.pantryItems.householdId, ctx.householdId), inArray(schema.pantryItems.key, checked.map((item) => item.key))))
          .for('update');
        const byKey = new Map(existing.map((row) => [row.key, row]));
        const results: Array<{ item: PantryView; action: 'added' | 'updated' }> = [];
        for (const item of checked) {
          const category = explicit.get(item.key);
          if (category) await categories.learn(tx, log, ctx.householdId, item.key, category);
          const before = byKey.get(item.key);
          const amountFields =
            item.quantity === undefined ? {} : { amount: item.quantity.amount, unit: item.quantity.unit };
          // A quantity said without a status means we have it; "out" clears the amount.
          const status = item.status ?? (item.quantity?.amount != null ? 'have' : undefined);
          const fields = {
            ...amountFields,
            ...(status === 'out' ? { amount: null, unit: null } : {}),
            ...(status !== undefined ? { status } : {}),
            ...(item.location !== undefined ? { location: item.location } : {}),
            ...(item.expiresOn !== undefined ? { expiresOn: item.expiresOn } : {}),
            ...(item.openedOn !== undefined ? { openedOn: item.openedOn } : {}),
            ...(item.preferredStore !== undefined ? { preferredStore: item.preferredStore } : {}),
            ...(item.note !== undefined ? { note: item.note } : {}),
            ...(category ? { categoryId: category.id } : {}),
            updatedAt: now,
          };
          if (before) {
            const [after] = await tx.update(schema.pantryItems).set(fields).where(eq(schema.pantryItems.id, before.id)).returning();
            if (!after) throw new LarderError('conflict:pantry', `Could not update ${item.name}.`);
            byKey.set(item.key, after);
            log.record({ kind: 'pantry.update', entity: 'pantry', before, after, summary: `pantry: ${describe(after)}` });
            results.push({ item: pantryView(after, names), action: 'updated' });
          } else {
            const [after] = await tx
              .insert(schema.pantryItems)
              .values({
                householdId: ctx.householdId,
                name: item.name,
                key: item.key,
                categoryId: guessed.get(item.key)?.categoryId ?? null,
                createdAt: now,
                ...fields,
              })
              .returning();
            if (!after) throw new LarderError('conflict:pantry', `Could not add ${item.name}.`);
            byKey.set(item.key, after);
            log.record({ kind: 'pantry.add', entity: 'pantry', before: null, after, summary: `pantry: added ${describe(after)}` });
            results.push({ item: pantryView(after, names), action: 'added' });
          }
        }
        return { items: results };
      },
      { dryRun: input.dryRun ?? false },
    );
  }

  async function remove(ctx: RequestContext, input: { names: string[]; dryRun?: boolean }) {
    checkBatch(input.names);
    const names = categoryNameMap(await categories.list(ctx.householdId));
    return journal.write(
      ctx,
      async (tx, log) => {
        const rows = await rowsOf(tx, ctx.householdId);
        const removed: PantryView[] = [];
        const notFound: string[] = [];
        const seen = new Set<number>();
        for (const name of input.names) {
          let row: schema.PantryItem;
          try {
            row = findOne(rows, name, 'pantry_item', 'in the pantry');
          } catch (error) {
            if (error instanceof LarderError && error.family === 'not_found') {
              notFound.push(name);
              continue;
            }
            throw error;
          }
          if (seen.has(row.id)) continue;
          seen.add(row.id);
          await tx.delete(schema.pantryItems).where(eq(schema.pantryItems.id, row.id));
          log.record({ kind: 'pantry.remove', entity: 'pantry', before: row, after: null, summary: `removed ${row.name} from the pantry` });
          removed.push(pantryView(row, names));
        }
        if (removed.length === 0) {
          throw new LarderError('not_found:pantry_item', `${notFound.map((n) => `"${n}"`).join(', ')} ${notFound.length === 1 ? 'is' : 'are'} not in the pantry.`);
        }
        return { removed, notFound };
      },
      { dryRun: input.dryRun ?? false },
    );
  }

  async function expiring(ctx: RequestContext, input: { days?: number } = {}) {
    const days = input.days ?? 3;
    if (!Number.isInteger(days) || days < 0 || days > 365) throw new LarderError('invalid:days', 'Days must be a whole number from 0 to 365.');
    const today = localDate(clock.now(), await timeZoneOf(ctx.householdId));
    const until = addDays(today, days);
    const [rows, all] = await Promise.all([
      db
        .select()
        .from(schema.pantryItems)
        .where(
          and(
            eq(schema.pantryItems.householdId, ctx.householdId),
            isNotNull(schema.pantryItems.expiresOn),
            lte(schema.pantryItems.expiresOn, until),
          ),
        )
        .orderBy(asc(schema.pantryItems.expiresOn), asc(schema.pantryItems.name)),
      categories.list(ctx.householdId),
    ]);
    const names = categoryNameMap(all);
    return rows
      .filter((row) => row.status !== 'out')
      .map((row) => ({ ...pantryView(row, names), daysLeft: daysBetween(today, row.expiresOn ?? today) }));
  }

  async function restock(ctx: RequestContext, input: { names?: string[]; dryRun?: boolean } = {}) {
    const rows = await rowsOf(db, ctx.householdId);
    let wanted: schema.PantryItem[];
    if (input.names && input.names.length > 0) {
      checkBatch(input.names);
      wanted = input.names.map((name) => findOne(rows, name, 'pantry_item', 'in the pantry'));
    } else {
      wanted = rows.filter((row) => row.status !== 'have');
      if (wanted.length === 0) throw new LarderError('not_found:pantry_item', 'Nothing in the pantry is low or out.');
      checkBatch(wanted, 'pantry items to restock');
    }
    // Group by the list each entry goes to; a store with no list of its own falls back to the default list.
    const groups = new Map<number, { list: schema.List; rows: schema.PantryItem[] }>();
    for (const row of wanted) {
      let target: schema.List;
      try {
        target = await lists.resolve(ctx.householdId, row.preferredStore);
      } catch (error) {
        if (!(error instanceof LarderError && error.code === 'not_found:list')) throw error;
        target = await lists.resolve(ctx.householdId, null);
      }
      const group = groups.get(target.id) ?? { list: target, rows: [] };
      group.rows.push(row);
      groups.set(target.id, group);
    }
    const prepared = new Map<number, PreparedItem[]>();
    for (const [listId, group] of groups) {
      prepared.set(listId, await lists.prepare(ctx, group.rows.map((row) => ({ name: row.name }))));
    }
    return journal.write(
      ctx,
      async (tx, log) => {
        const result: Array<{ list: ListView; items: AddResult['items'] }> = [];
        for (const [listId, group] of groups) {
          const items = await lists.addInTx(tx, log, ctx, group.list, prepared.get(listId) ?? []);
          result.push({ list: listView(group.list), items });
        }
        return { lists: result };
      },
      { dryRun: input.dryRun ?? false },
    );
  }

  async function stock(
    ctx: RequestContext,
    input: { items: Array<{ name: string; quantity?: string | null; expiresOn?: string | null; location?: string | null }>; dryRun?: boolean },
  ) {
    checkBatch(input.items);
    const checked = input.items.map((item) => ({
      ...checkName(item.name),
      quantity: checkQuantity(item.quantity).text,
      expiresOn: checkDate(item.expiresOn, 'expiry date'),
      location: checkText(item.location, 'location')?.toLowerCase() ?? null,
    }));
    const guessed = await categories.categorize(ctx.householdId, checked.map((item) => item.key));
    const names = categoryNameMap(await categories.list(ctx.householdId));
    return journal.write(
      ctx,
      async (tx, log) => {
        await categories.rememberLlmChoices(tx, log, ctx.householdId, guessed.values());
        const now = clock.now();
        const items: PantryView[] = [];
        for (const item of checked) {
          let entry = await stockPantry(tx, log, ctx.householdId, { name: item.name, key: item.key, quantity: item.quantity, categoryId: guessed.get(item.key)?.categoryId ?? null, preferredStore: null }, now);
          if (item.expiresOn !== null || item.location !== null) {
            const [after] = await tx
              .update(schema.pantryItems)
              .set({ ...(item.expiresOn !== null ? { expiresOn: item.expiresOn } : {}), ...(item.location !== null ? { location: item.location } : {}), updatedAt: now })
              .where(eq(schema.pantryItems.id, entry.id))
              .returning();
            if (after) {
              log.record({ kind: 'pantry.update', entity: 'pantry', before: entry, after, summary: `pantry: ${describe(after)}` });
              entry = after;
            }
          }
          items.push(pantryView(entry, names));
        }
        return { items };
      },
      { dryRun: input.dryRun ?? false },
    );
  }

  return { list, update, remove, restock, expiring, stock };
}

/** Whole days from one calendar date to another ("2026-01-01" → "2026-01-03" is 2). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
