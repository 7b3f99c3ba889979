import { and, asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../context.ts';
import { preparedQuery, type Db, type DbOrTx, type Tx } from '../db/client.ts';
import type { ReadCache } from '../db/read-cache.ts';
import * as schema from '../db/schema.ts';
import { LarderError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { cleanText, normalizeKey } from '../nlp/normalize.ts';
import type { Change, JournalService, JournalWriter } from './journal.ts';

/** Where an item's category came from. */
export type CategorySource = 'user' | 'history' | 'catalog' | 'llm' | 'default';

/** The slice of the built-in catalog categorization needs. */
export interface CatalogLookup {
  lookup(name: string): { category: string } | null;
  /** Whether a phrase is itself a grocery item (the parser splits lists with it). */
  isItem(phrase: string): boolean;
}

/**
 * Stage 3 of categorization: one batched call for every name still unknown. Answers map each
 * name to one of `categories`; a name left out stays unknown.
 */
export type LlmCategorize = (request: {
  householdId: number;
  names: string[];
  categories: string[];
  examples: Array<{ name: string; category: string }>;
}) => Promise<Map<string, string>>;

export interface CategoryChoice {
  key: string;
  categoryId: number;
  category: string;
  source: CategorySource;
}

export interface CategoryService {
  /** The household's categories in aisle order. */
  list(householdId: number, tx?: DbOrTx): Promise<schema.Category[]>;
  /** The category a name refers to ("dairy" → "Dairy & Eggs"), or a clear error listing the options. */
  resolve(householdId: number, name: string, tx?: DbOrTx): Promise<schema.Category>;
  /**
   * Categorizes names in three stages: the household's history, the catalog, then one LLM call
   * for what is left (when one is configured); anything still unknown goes to Other.
   * Read-only: call it before opening a write transaction, then `remember` the LLM's answers.
   */
  categorize(householdId: number, names: readonly string[]): Promise<Map<string, CategoryChoice>>;
  /** Stores answers the LLM gave, never over a user's choice. */
  rememberLlmChoices(tx: Tx, journal: JournalWriter, householdId: number, choices: Iterable<CategoryChoice>): Promise<void>;
  /** `resolve` for several names with one read of the categories; throws for the first unknown one. */
  resolveMany(householdId: number, names: readonly string[], tx?: DbOrTx): Promise<schema.Category[]>;
  /** Records a user's choice for an item key; journaled so undo forgets it again. */
  learn(tx: Tx, journal: JournalWriter, householdId: number, key: string, category: schema.Category): Promise<void>;
  /**
   * `learn` for many keys in a few statements whatever their number. Returns each choice's
   * journal change in order (null when it was already remembered), for the caller to record.
   */
  learnMany(tx: Tx, householdId: number, choices: ReadonlyArray<{ key: string; category: schema.Category }>): Promise<Array<Change | null>>;
  /** Adds a category at the end of the aisle order (or at `position`). */
  create(ctx: RequestContext, name: string): Promise<schema.Category>;
}

const FALLBACK = 'Other';

export function createCategoryService(deps: {
  db: Db;
  clock: Clock;
  log: Logger;
  journal: JournalService;
  catalog: CatalogLookup;
  cache: ReadCache;
  llmCategorize?: LlmCategorize | undefined;
}): CategoryService {
  const { db, clock, log, journal, catalog, cache, llmCategorize } = deps;

  async function list(householdId: number, tx: DbOrTx = db) {
    const read = () =>
      tx
        .select()
        .from(schema.categories)
        .where(eq(schema.categories.householdId, householdId))
        .orderBy(asc(schema.categories.position), asc(schema.categories.id));
    // Outside a transaction the kept copy serves; a write reads what it locks and changes.
    return tx === db ? cache.get(householdId, 'categories', read) : read();
  }

  /** Everything the household remembered, by item key: kept with the categories while caching. */
  async function memoryOf(householdId: number): Promise<ReadonlyMap<string, schema.CategoryMemory>> {
    return cache.get(householdId, 'category_memory', async () => {
      const rows = await db.select().from(schema.categoryMemory).where(eq(schema.categoryMemory.householdId, householdId));
      return new Map(rows.map((row) => [row.key, row]));
    });
  }

  async function resolve(householdId: number, name: string, tx: DbOrTx = db) {
    return pickCategory(await list(householdId, tx), name);
  }

  async function resolveMany(householdId: number, names: readonly string[], tx: DbOrTx = db) {
    if (names.length === 0) return [];
    const all = await list(householdId, tx);
    return names.map((name) => pickCategory(all, name));
  }

  // Every add reads this: built once, the keys passed as one array.
  const categoriesWithMemory = preparedQuery(() =>
    db
      .select({ category: schema.categories, memory: schema.categoryMemory })
      .from(schema.categories)
      .leftJoin(
        schema.categoryMemory,
        and(
          eq(schema.categoryMemory.categoryId, schema.categories.id),
          eq(schema.categoryMemory.householdId, sql.placeholder('householdId')),
          sql`${schema.categoryMemory.key} = any(${sql.placeholder('keys')}::text[])`,
        ),
      )
      .where(eq(schema.categories.householdId, sql.placeholder('householdId')))
      .orderBy(asc(schema.categories.position), asc(schema.categories.id))
      .prepare('larder_categories_with_memory'),
  );

  async function categorize(householdId: number, names: readonly string[]) {
    const keys = [...new Set(names.map(normalizeKey).filter((key) => key !== ''))];
    let all: schema.Category[];
    let remembered: schema.CategoryMemory[];
    if (cache.caching) {
      const [categories, memory] = await Promise.all([list(householdId), memoryOf(householdId)]);
      all = categories;
      remembered = keys.flatMap((key) => memory.get(key) ?? []);
    } else {
      // The categories in aisle order with what the household remembered for these keys: one query.
      const rows = await categoriesWithMemory().execute({ householdId, keys });
      const byId = new Map<number, schema.Category>();
      for (const row of rows) if (!byId.has(row.category.id)) byId.set(row.category.id, row.category);
      all = [...byId.values()];
      remembered = rows.flatMap((row) => (row.memory ? [row.memory] : []));
    }
    const byId = new Map(all.map((category) => [category.id, category]));
    const byName = new Map(all.map((category) => [category.name.toLowerCase(), category]));
    const fallback = byName.get(FALLBACK.toLowerCase()) ?? all[all.length - 1];
    if (!fallback) throw new LarderError('not_found:category', 'This household has no categories.');

    const result = new Map<string, CategoryChoice>();
    if (keys.length === 0) return result;

    for (const row of remembered) {
      const category = byId.get(row.categoryId);
      if (category) result.set(row.key, { key: row.key, categoryId: category.id, category: category.name, source: row.source === 'user' ? 'user' : 'history' });
    }

    const unknown: string[] = [];
    for (const key of keys) {
      if (result.has(key)) continue;
      const match = catalog.lookup(key);
      const category = match ? byName.get(match.category.toLowerCase()) : undefined;
      if (category) result.set(key, { key, categoryId: category.id, category: category.name, source: 'catalog' });
      else unknown.push(key);
    }

    if (unknown.length > 0 && llmCategorize) {
      for (const [key, category] of await askLlm(householdId, unknown, all)) result.set(key, category);
    }
    for (const key of keys) {
      if (!result.has(key)) result.set(key, { key, categoryId: fallback.id, category: fallback.name, source: 'default' });
    }
    return result;
  }

  /** Stage 3; a failing LLM never fails the request: those items go to Other. */
  async function askLlm(householdId: number, keys: string[], all: schema.Category[]): Promise<Map<string, CategoryChoice>> {
    const chosen = new Map<string, CategoryChoice>();
    if (!llmCategorize) return chosen;
    const examplesRows = await db
      .select({ key: schema.categoryMemory.key, categoryId: schema.categoryMemory.categoryId })
      .from(schema.categoryMemory)
      .where(and(eq(schema.categoryMemory.householdId, householdId), eq(schema.categoryMemory.source, 'user')))
      .orderBy(sql`${schema.categoryMemory.updatedAt} desc`)
      .limit(8);
    const byId = new Map(all.map((category) => [category.id, category]));
    const examples = examplesRows.flatMap((row) => {
      const category = byId.get(row.categoryId);
      return category ? [{ name: row.key, category: category.name }] : [];
    });
    try {
      const answers = await llmCategorize({ householdId, names: keys, categories: all.map((category) => category.name), examples });
      for (const key of keys) {
        const answer = answers.get(key);
        const category = answer === undefined ? undefined : matchCategory(all, answer);
        if (category) chosen.set(key, { key, categoryId: category.id, category: category.name, source: 'llm' });
      }
    } catch (error) {
      log.warn({ err: error, count: keys.length }, 'LLM categorization failed; items go to Other');
    }
    return chosen;
  }

  async function rememberLlmChoices(tx: Tx, journalWriter: JournalWriter, householdId: number, choices: Iterable<CategoryChoice>) {
    const now = clock.now();
    const rows = [...choices]
      .filter((choice) => choice.source === 'llm')
      .map((choice) => ({ householdId, key: choice.key, categoryId: choice.categoryId, source: 'llm' as const, createdAt: now, updatedAt: now }));
    if (rows.length === 0) return;
    // Never over a user's choice: an existing row of any source wins.
    await tx.insert(schema.categoryMemory).values(rows).onConflictDoNothing();
    journalWriter.touch('category_memory');
  }

  async function learn(tx: Tx, journalWriter: JournalWriter, householdId: number, key: string, category: schema.Category) {
    const [change] = await learnMany(tx, householdId, [{ key, category }]);
    if (change) journalWriter.record(change);
  }

  async function learnMany(tx: Tx, householdId: number, choices: ReadonlyArray<{ key: string; category: schema.Category }>) {
    if (choices.length === 0) return [];
    const now = clock.now();
    const rows = await tx
      .select()
      .from(schema.categoryMemory)
      .where(and(eq(schema.categoryMemory.householdId, householdId), inArray(schema.categoryMemory.key, [...new Set(choices.map((choice) => choice.key))])))
      .for('update');
    const current = new Map(rows.map((row) => [row.key, row]));
    const changes: Array<Change | null> = [];
    // In waves of one write per key, so a key chosen twice in one batch sees its first choice.
    let pending = choices.map((choice, index) => ({ ...choice, index }));
    while (pending.length > 0) {
      const wave: typeof pending = [];
      const later: typeof pending = [];
      const inWave = new Set<string>();
      for (const choice of pending) {
        if (inWave.has(choice.key)) later.push(choice);
        else {
          inWave.add(choice.key);
          wave.push(choice);
        }
      }
      const writes = wave.filter((choice) => {
        const before = current.get(choice.key);
        const known = before !== undefined && before.categoryId === choice.category.id && before.source === 'user';
        if (known) changes[choice.index] = null;
        return !known;
      });
      const inserts = writes.filter((choice) => !current.has(choice.key));
      const updates = writes.flatMap((choice) => {
        const before = current.get(choice.key);
        return before ? [{ ...choice, before }] : [];
      });
      const inserted =
        inserts.length === 0
          ? []
          : await tx
              .insert(schema.categoryMemory)
              .values(inserts.map((choice) => ({ householdId, key: choice.key, categoryId: choice.category.id, source: 'user' as const, createdAt: now, updatedAt: now })))
              .returning();
      const updated =
        updates.length === 0
          ? []
          : await tx
              .update(schema.categoryMemory)
              .set({ categoryId: sql`v.category_id`, source: 'user', updatedAt: now })
              .from(sql`(values ${sql.join(updates.map((choice) => sql`(${choice.before.id}::bigint, ${choice.category.id}::bigint)`), sql`, `)}) as v(id, category_id)`)
              .where(eq(schema.categoryMemory.id, sql`v.id`))
              .returning(getTableColumns(schema.categoryMemory));
      const afterByKey = new Map([...inserted, ...updated].map((row) => [row.key, row]));
      for (const choice of writes) {
        const before = current.get(choice.key) ?? null;
        const after = afterByKey.get(choice.key) ?? null;
        changes[choice.index] = {
          kind: 'category.learn',
          entity: 'category_memory',
          before,
          after,
          summary: `${choice.key} goes under ${choice.category.name} from now on`,
        };
        if (after) current.set(choice.key, after);
      }
      pending = later;
    }
    return changes;
  }

  async function create(ctx: RequestContext, name: string) {
    const cleaned = name.trim().replace(/\s+/g, ' ');
    if (cleaned === '' || cleaned.length > 60) throw new LarderError('invalid:category', 'A category name must be 1 to 60 characters.');
    return journal.write(ctx, async (tx, journalWriter) => {
      const all = await list(ctx.householdId, tx);
      if (all.some((category) => category.name.toLowerCase() === cleaned.toLowerCase())) {
        throw new LarderError('conflict:category', `There is already a category called "${cleaned}".`);
      }
      const now = clock.now();
      const position = Math.max(-1, ...all.map((category) => category.position)) + 1;
      const [row] = await tx
        .insert(schema.categories)
        .values({ householdId: ctx.householdId, name: cleaned, position, createdAt: now, updatedAt: now })
        .returning();
      if (!row) throw new LarderError('conflict:category', 'Could not create the category.');
      journalWriter.record({ kind: 'category.create', entity: 'category', before: null, after: row, summary: `created category ${row.name}` });
      return row;
    });
  }

  return { list, resolve, resolveMany, categorize, rememberLlmChoices, learn, learnMany, create };
}

/** The category a name refers to among `all`, or a clear error listing the options. */
function pickCategory(all: schema.Category[], name: string): schema.Category {
  const found = matchCategory(all, name);
  if (found) return found;
  throw new LarderError(
    'invalid:category',
    `"${name}" is not a category here. Categories: ${all.map((category) => category.name).join(', ')}.`,
    { candidates: all.map((category) => category.name) },
  );
}

/**
 * Finds a category by what a person would type: its name in any case, a prefix ("dairy"), or one
 * of its words ("eggs" → "Dairy & Eggs", "seafood" → "Meat & Seafood").
 */
export function matchCategory<T extends { name: string }>(all: readonly T[], name: string): T | null {
  const wanted = cleanText(name).replace(/\band\b/g, '&');
  if (wanted === '') return null;
  const exact = all.find((category) => category.name.toLowerCase() === wanted);
  if (exact) return exact;
  const prefixed = all.filter((category) => category.name.toLowerCase().startsWith(wanted));
  if (prefixed.length === 1) return prefixed[0] ?? null;
  const byWord = all.filter((category) =>
    category.name
      .toLowerCase()
      .split(/[\s&]+/)
      .some((word) => word !== '' && (word === wanted || normalizeKey(word) === normalizeKey(wanted))),
  );
  return byWord.length === 1 ? (byWord[0] ?? null) : null;
}
