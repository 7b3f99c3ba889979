import { eq, sql, type Table } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { queryRows, type Db, type Tx } from '../db/client.ts';
import type { ReadCache } from '../db/read-cache.ts';
import * as schema from '../db/schema.ts';
import { columnNames, getTableName, type Snapshot } from '../db/snapshot.ts';
import { isLarderError, LarderError } from '../errors.ts';
import { isValidTimeZone, slugify } from './households.ts';
import { pgCode, type EntityName } from './journal.ts';

/** The `format` field of every export: a file without it is not a Larder export. */
export const EXPORT_FORMAT = 'larder-household-export';
/** The export layout this code writes and reads; a change of layout bumps it. */
export const EXPORT_VERSION = 1;
/** The largest export `import` reads (the CLI checks it before reading further). */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** Rows per table an import accepts: far above any household, low enough to refuse a runaway file. */
const MAX_ROWS = 500_000;
/** Rows per INSERT statement when restoring, so no single statement carries megabytes. */
const CHUNK = 500;

// Same shape as households.ts accepts: a slug given as such is used as is, anything else is slugified.
const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

// The rows of the file are the rows as the database names its columns (`list_id`, `created_at`),
// the same shape the journal keeps in `before`/`after`: one remapping serves both.
const rowId = z.int().positive();
const refId = rowId.nullable();
const timestamp = z.iso.datetime({ offset: true });
const nullableTimestamp = timestamp.nullable();
const day = z.iso.date().nullable();
/** Names, keys and titles: the services cap them at 200; the margin only avoids refusing an old export. */
const shortText = z.string().max(1_000);
const longText = z.string().max(100_000);
const rows = <T extends z.ZodType>(row: T) => z.array(row).max(MAX_ROWS);
const stamps = { created_at: timestamp, updated_at: timestamp };

const householdRow = z.strictObject({
  id: rowId,
  slug: z.string().regex(SLUG, 'must be a household slug (a-z, 0-9, "-", "_")'),
  name: z.string().min(1).max(200),
  time_zone: z.string().refine(isValidTimeZone, 'must be an IANA time zone'),
  locale: z.string().min(1).max(35),
  digest_time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').nullable(),
  digest_sent_on: day,
  ...stamps,
});

const categoryRow = z.strictObject({ id: rowId, name: shortText.min(1), position: z.int(), ...stamps });

const categoryMemoryRow = z.strictObject({
  id: rowId,
  key: shortText.min(1),
  category_id: rowId,
  source: z.enum(['user', 'llm']),
  ...stamps,
});

const listRow = z.strictObject({
  id: rowId,
  name: shortText.min(1),
  kind: z.enum(['grocery', 'task']),
  store: shortText.nullable(),
  is_default: z.boolean(),
  ...stamps,
});

const itemRow = z.strictObject({
  id: rowId,
  list_id: rowId,
  name: shortText.min(1),
  key: shortText.min(1),
  quantity: shortText.nullable(),
  amount: z.number().nullable(),
  unit: shortText.nullable(),
  category_id: refId,
  note: longText.nullable(),
  checked: z.boolean(),
  checked_at: nullableTimestamp,
  added_by: shortText.nullable(),
  source_recipe_id: refId,
  due_at: nullableTimestamp,
  remind_at: nullableTimestamp,
  reminded_at: nullableTimestamp,
  ...stamps,
});

const pantryRow = z.strictObject({
  id: rowId,
  name: shortText.min(1),
  key: shortText.min(1),
  amount: z.number().nullable(),
  unit: shortText.nullable(),
  status: z.enum(['have', 'low', 'out']),
  location: shortText.nullable(),
  category_id: refId,
  expires_on: day,
  opened_on: day,
  preferred_store: shortText.nullable(),
  note: longText.nullable(),
  ...stamps,
});

const ingredient = z.strictObject({
  name: shortText,
  key: shortText,
  amount: z.number().nullable(),
  unit: shortText.nullable(),
  note: longText.nullable(),
  optional: z.boolean(),
});

const recipeRow = z.strictObject({
  id: rowId,
  title: shortText.min(1),
  servings: z.int().nullable(),
  ingredients: z.array(ingredient).max(1_000),
  steps: z.array(longText).max(1_000),
  tags: z.array(shortText).max(1_000),
  source: longText.nullable(),
  rating: z.int().nullable(),
  notes: longText.nullable(),
  last_cooked_at: nullableTimestamp,
  ...stamps,
});

const ingredientMatchRow = z.strictObject({
  id: rowId,
  ingredient_key: shortText.min(1),
  pantry_key: shortText.nullable(),
  source: z.enum(['auto', 'user']),
  pantry_fingerprint: shortText.nullable(),
  ...stamps,
});

/**
 * A journal snapshot: any columns (an old event may predate a column), but the ids undo relies on
 * must be ids, since import rewrites them.
 */
const snapshot = z
  .looseObject({
    id: rowId,
    household_id: rowId.optional(),
    list_id: rowId.optional(),
    category_id: refId.optional(),
    source_recipe_id: refId.optional(),
  })
  .nullable();

const JOURNALED_ENTITIES = ['household', 'list', 'item', 'pantry', 'category', 'category_memory', 'recipe', 'ingredient_match'] as const satisfies readonly EntityName[];

const eventRow = z.strictObject({
  id: rowId,
  request_id: z.guid(),
  door: z.enum(['bot', 'mcp', 'cli', 'system']),
  actor: shortText,
  kind: shortText.min(1),
  entity: z.enum(JOURNALED_ENTITIES),
  entity_id: refId,
  summary: longText,
  before: snapshot,
  after: snapshot,
  undo_of: z.guid().nullable(),
  undone_at: nullableTimestamp,
  created_at: timestamp,
});

/** The whole export document, validated field by field before anything is written. */
export const householdExportSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: timestamp,
  household: householdRow,
  categories: rows(categoryRow),
  categoryMemory: rows(categoryMemoryRow),
  lists: rows(listRow),
  items: rows(itemRow),
  pantry: rows(pantryRow),
  recipes: rows(recipeRow),
  ingredientMatches: rows(ingredientMatchRow),
  events: rows(eventRow),
});

/** One household, everything people made in it, and its journal: what `larder export` prints. */
export type HouseholdExport = z.output<typeof householdExportSchema>;

type Section = 'categories' | 'categoryMemory' | 'lists' | 'items' | 'pantry' | 'recipes' | 'ingredientMatches';

/** Where each section lives, which journal entity it is, and which of its columns point at other rows. */
const SECTIONS: ReadonlyArray<{ section: Section; table: Table; entity: Exclude<EntityName, 'household'>; refs: Record<string, Exclude<EntityName, 'household'>> }> = [
  // Insert order: what is pointed at comes before what points at it.
  { section: 'categories', table: schema.categories, entity: 'category', refs: {} },
  { section: 'lists', table: schema.lists, entity: 'list', refs: {} },
  { section: 'recipes', table: schema.recipes, entity: 'recipe', refs: {} },
  { section: 'items', table: schema.items, entity: 'item', refs: { list_id: 'list', category_id: 'category', source_recipe_id: 'recipe' } },
  { section: 'pantry', table: schema.pantryItems, entity: 'pantry', refs: { category_id: 'category' } },
  { section: 'categoryMemory', table: schema.categoryMemory, entity: 'category_memory', refs: { category_id: 'category' } },
  { section: 'ingredientMatches', table: schema.ingredientMatches, entity: 'ingredient_match', refs: {} },
];

const REFS_OF = new Map(SECTIONS.map((entry) => [entry.entity, entry.refs]));
const TABLE_OF = new Map(SECTIONS.map((entry) => [entry.entity, entry.table]));

/** The zod row schema of each table, so a test can hold them to the real columns. */
export const ROW_SCHEMAS: ReadonlyArray<{ table: Table; row: z.ZodObject }> = [
  { table: schema.households, row: householdRow },
  { table: schema.categories, row: categoryRow },
  { table: schema.categoryMemory, row: categoryMemoryRow },
  { table: schema.lists, row: listRow },
  { table: schema.items, row: itemRow },
  { table: schema.pantryItems, row: pantryRow },
  { table: schema.recipes, row: recipeRow },
  { table: schema.ingredientMatches, row: ingredientMatchRow },
  { table: schema.events, row: eventRow },
];

export interface ImportOptions {
  /** The household to restore into (a name or slug); the file's own slug when omitted. */
  household?: string;
  /**
   * When that household exists: wipe its lists, pantry, recipes, categories and journal and
   * restore the file into it, keeping its members, tokens and Telegram chats. Without it an
   * existing household is refused.
   */
  replace?: boolean;
}

export interface ImportResult {
  household: { id: number; slug: string; name: string };
  replaced: boolean;
  counts: Record<Section | 'events', number>;
}

export interface TransferService {
  /** The household as one JSON-ready document (see {@link HouseholdExport}). */
  exportHousehold(name: string): Promise<HouseholdExport>;
  /**
   * Restores an export (its JSON text or the parsed value) as a household, with new ids and every
   * reference (rows and journal snapshots) remapped, so undo keeps working. All or nothing: a bad
   * file is refused with an `invalid:import` error and changes nothing.
   *
   * @example await core.transfer.importHousehold(await fs.readFile('family.json', 'utf8'), { household: 'family-copy' })
   */
  importHousehold(input: unknown, options?: ImportOptions): Promise<ImportResult>;
}

/** A name or slug as typed → the slug it means. */
function toSlug(name: string): string {
  const trimmed = name.trim();
  return SLUG.test(trimmed) ? trimmed : slugify(trimmed);
}

/** Parses and validates an export; every failure is an `invalid:import` error saying what is wrong. */
export function parseHouseholdExport(input: unknown): HouseholdExport {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_IMPORT_BYTES) {
      throw new LarderError('invalid:import', `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; that is not a household export.`);
    }
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new LarderError('invalid:import', `The file is not valid JSON (is it cut short?): ${(error as Error).message}`, undefined, { cause: error });
    }
  }
  // Format and version first: their messages are the ones that tell a person what to do.
  const head = z.looseObject({ format: z.unknown(), version: z.unknown() }).safeParse(value);
  if (!head.success || head.data.format !== EXPORT_FORMAT) {
    throw new LarderError('invalid:import', `This is not a Larder household export (its "format" should be "${EXPORT_FORMAT}").`);
  }
  if (head.data.version !== EXPORT_VERSION) {
    throw new LarderError(
      'invalid:import',
      `This export has version ${JSON.stringify(head.data.version)}; this Larder reads version ${EXPORT_VERSION}. Import it with the Larder that wrote it.`,
    );
  }
  const parsed = householdExportSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw new LarderError('invalid:import', `The export is damaged; nothing was imported. ${issues.join('; ')}${more}.`);
  }
  checkReferences(parsed.data);
  return parsed.data;
}

/** Rows must point at rows of the same file, and ids must be unique: caught here, with a line to read. */
function checkReferences(doc: HouseholdExport): void {
  const ids = new Map<EntityName, Set<number>>();
  for (const { section, entity } of SECTIONS) {
    const seen = new Set<number>();
    for (const [index, row] of doc[section].entries()) {
      if (seen.has(row.id)) throw new LarderError('invalid:import', `The export is damaged: ${section}[${index}] repeats id ${row.id}.`);
      seen.add(row.id);
    }
    ids.set(entity, seen);
  }
  for (const { section, refs } of SECTIONS) {
    for (const [index, row] of doc[section].entries()) {
      for (const [column, target] of Object.entries(refs)) {
        const value = (row as Record<string, unknown>)[column];
        if (typeof value === 'number' && !ids.get(target)?.has(value)) {
          throw new LarderError('invalid:import', `The export is damaged: ${section}[${index}].${column} is ${value}, which is not a ${target} in the file.`);
        }
      }
    }
  }
  const eventIds = new Set<number>();
  for (const [index, event] of doc.events.entries()) {
    if (eventIds.has(event.id)) throw new LarderError('invalid:import', `The export is damaged: events[${index}] repeats id ${event.id}.`);
    eventIds.add(event.id);
  }
}

/** Creates the export/import service. */
export function createTransferService(deps: { db: Db; clock: Clock; cache: ReadCache }): TransferService {
  const { db, clock, cache } = deps;

  async function exportHousehold(name: string): Promise<HouseholdExport> {
    const slug = toSlug(name);
    const [household] = await db.select().from(schema.households).where(eq(schema.households.slug, slug));
    if (!household) throw new LarderError('not_found:household', `There is no household "${slug}" to export.`);
    // One snapshot of the whole household: a change landing halfway must not split the file.
    return db.transaction(async (tx) => {
      const read = (table: Table, order = sql`id`) =>
        queryRows<{ row: Snapshot }>(
          tx,
          sql`select to_jsonb(t) - 'household_id' as row from ${sql.identifier(getTableName(table))} t where household_id = ${household.id} order by ${order}`,
        ).then((found) => found.map((entry) => entry.row));
      const [householdRow] = await queryRows<{ row: Snapshot }>(tx, sql`select to_jsonb(t) as row from households t where id = ${household.id}`);
      const doc = {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exportedAt: clock.now().toISOString(),
        household: householdRow?.row,
        categories: await read(schema.categories, sql`position, id`),
        categoryMemory: await read(schema.categoryMemory),
        lists: await read(schema.lists),
        items: await read(schema.items),
        pantry: await read(schema.pantryItems),
        recipes: await read(schema.recipes),
        ingredientMatches: await read(schema.ingredientMatches),
        events: await read(schema.events),
      };
      // What export writes, import must read: checking here finds a schema change the export missed.
      const checked = householdExportSchema.safeParse(doc);
      if (!checked.success) {
        throw new LarderError('invalid:export', `Could not export "${slug}": ${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message}`);
      }
      return checked.data;
    }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
  }

  async function importHousehold(input: unknown, options: ImportOptions = {}): Promise<ImportResult> {
    const doc = parseHouseholdExport(input);
    const slug = options.household === undefined ? doc.household.slug : toSlug(options.household);
    try {
      const result = await db.transaction((tx) => restore(tx, doc, slug, options.replace ?? false));
      // A replaced household's lists, categories and tokens went with it.
      if (result.replaced) cache.forget(result.household.id);
      return result;
    } catch (error) {
      if (isLarderError(error)) throw error;
      const code = pgCode(error);
      // Constraint and type errors mean the file does not fit together; the transaction undid everything.
      if (code !== undefined && /^(22|23)/.test(code)) {
        // The driver's own message ("duplicate key … lists_one_default"), not drizzle's, which quotes every parameter.
        const detail = ((error as { cause?: { message?: string } }).cause?.message ?? String(error)).slice(0, 300);
        throw new LarderError('invalid:import', `The export does not fit together (${detail}); nothing was imported.`, undefined, { cause: error });
      }
      throw error;
    }
  }

  async function restore(tx: Tx, doc: HouseholdExport, slug: string, replace: boolean): Promise<ImportResult> {
    const [existing] = await tx.select().from(schema.households).where(eq(schema.households.slug, slug)).for('update');
    if (existing && !replace) {
      throw new LarderError(
        'conflict:household',
        `Household "${slug}" already exists. Import under another name (--household NEW_NAME), or add --replace to wipe "${slug}" and restore the file into it.`,
      );
    }
    const settings = { ...doc.household, slug };
    let householdId: number;
    if (existing) {
      householdId = existing.id;
      await wipe(tx, householdId);
      // The household keeps its id (members, tokens and chats still point at it) and takes the file's settings.
      await tx.execute(sql`
        update households set (${columns(schema.households, ['id'])}) =
          (select ${columns(schema.households, ['id'])} from jsonb_populate_record(null::households, ${JSON.stringify(settings)}::jsonb))
        where id = ${householdId}`);
    } else {
      const [created] = await queryRows<{ id: string }>(tx, sql`
        insert into households (${columns(schema.households, ['id'])})
        select ${columns(schema.households, ['id'])} from jsonb_populate_record(null::households, ${JSON.stringify(settings)}::jsonb)
        on conflict (slug) do nothing
        returning id::text as id`);
      // Another process created it since the check above.
      if (!created) throw new LarderError('conflict:household', `Household "${slug}" was created meanwhile; import again to decide what to do.`);
      householdId = Number(created.id);
    }

    const maps = await allocateIds(tx, doc);
    const remap = (entity: EntityName | 'event', id: number): number => {
      if (entity === 'household') return householdId;
      const mapped = maps.get(entity)?.get(id);
      // allocateIds saw every id the file holds, so a miss is a bug here, not a bad file.
      if (mapped === undefined) throw new Error(`no new id for ${entity} #${id}`);
      return mapped;
    };
    const remapRow = (entity: EntityName, row: Snapshot): Snapshot => {
      const out: Snapshot = { ...row, id: remap(entity, row.id as number) };
      if (entity === 'household') out.slug = slug;
      else out.household_id = householdId;
      for (const [column, target] of Object.entries(REFS_OF.get(entity as Exclude<EntityName, 'household'>) ?? {})) {
        const value = out[column];
        if (typeof value === 'number') out[column] = remap(target, value);
      }
      return out;
    };

    const counts = { events: doc.events.length } as ImportResult['counts'];
    for (const { section, table, entity } of SECTIONS) {
      await insertRows(tx, table, doc[section].map((row) => remapRow(entity, row)));
      counts[section] = doc[section].length;
    }
    await insertRows(
      tx,
      schema.events,
      doc.events.map((event) => ({
        ...event,
        id: remap('event', event.id),
        household_id: householdId,
        entity_id: event.entity_id === null ? null : remap(event.entity, event.entity_id),
        before: event.before === null ? null : remapRow(event.entity, event.before),
        after: event.after === null ? null : remapRow(event.entity, event.after),
      })),
    );
    return { household: { id: householdId, slug, name: settings.name }, replaced: existing !== undefined, counts };
  }

  return { exportHousehold, importHousehold };
}

/** Deletes what a household holds, children first; the household row and its people stay. */
async function wipe(tx: Tx, householdId: number): Promise<void> {
  for (const table of [
    schema.events,
    schema.items,
    schema.categoryMemory,
    schema.pantryItems,
    schema.ingredientMatches,
    schema.recipes,
    schema.lists,
    schema.categories,
    // Pending previews name rows by their old ids: they cannot be confirmed against the restored data.
    schema.previews,
  ]) {
    await tx.execute(sql`delete from ${sql.identifier(getTableName(table))} where household_id = ${householdId}`);
  }
}

/**
 * Takes a fresh id from each table's own sequence for every id the file mentions — live rows,
 * journal snapshots (rows since deleted, which undo may bring back) and references — mapped in
 * order, so the restored rows keep their relative order (lists, history) and never collide with
 * another household's.
 */
async function allocateIds(tx: Tx, doc: HouseholdExport): Promise<Map<EntityName | 'event', Map<number, number>>> {
  const seen = new Map<EntityName | 'event', Set<number>>();
  const note = (entity: EntityName | 'event', id: unknown) => {
    if (entity === 'household' || typeof id !== 'number') return;
    let set = seen.get(entity);
    if (!set) seen.set(entity, (set = new Set()));
    set.add(id);
  };
  const noteRow = (entity: EntityName, row: Snapshot) => {
    note(entity, row.id);
    for (const [column, target] of Object.entries(REFS_OF.get(entity as Exclude<EntityName, 'household'>) ?? {})) note(target, row[column]);
  };
  for (const { section, entity } of SECTIONS) for (const row of doc[section]) noteRow(entity, row);
  for (const event of doc.events) {
    note('event', event.id);
    note(event.entity, event.entity_id);
    if (event.before) noteRow(event.entity, event.before);
    if (event.after) noteRow(event.entity, event.after);
  }

  const maps = new Map<EntityName | 'event', Map<number, number>>();
  for (const [entity, ids] of seen) {
    const table = entity === 'event' ? schema.events : entity === 'household' ? undefined : TABLE_OF.get(entity);
    if (!table) continue;
    const fresh = await queryRows<{ id: string }>(
      tx,
      sql`select nextval(pg_get_serial_sequence(${getTableName(table)}, 'id'))::text as id from generate_series(1, ${ids.size})`,
    );
    const sortedNew = fresh.map((row) => Number(row.id)).sort((a, b) => a - b);
    const sortedOld = [...ids].sort((a, b) => a - b);
    maps.set(entity, new Map(sortedOld.map((old, index) => [old, sortedNew[index] ?? Number.NaN])));
  }
  return maps;
}

/** `col, col, …` of a table, minus some. */
function columns(table: Table, except: string[] = []) {
  return sql.join(
    columnNames(table)
      .filter((name) => !except.includes(name))
      .map((name) => sql.identifier(name)),
    sql`, `,
  );
}

/** Inserts rows given by column name, in chunks, with their ids as given. */
async function insertRows(tx: Tx, table: Table, rowsToInsert: Snapshot[]): Promise<void> {
  const name = sql.identifier(getTableName(table));
  for (let start = 0; start < rowsToInsert.length; start += CHUNK) {
    const chunk = rowsToInsert.slice(start, start + CHUNK);
    await tx.execute(sql`
      insert into ${name} (${columns(table)})
      select ${columns(table)} from jsonb_populate_recordset(null::${name}, ${JSON.stringify(chunk)}::jsonb)`);
  }
}
