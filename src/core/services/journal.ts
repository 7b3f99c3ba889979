import { and, desc, eq, inArray, isNull, lt, sql, type Table } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../context.ts';
import { queryRows, type Db, type Tx } from '../db/client.ts';
import type { ReadCache } from '../db/read-cache.ts';
import * as schema from '../db/schema.ts';
import { columnNames, getTableName, toSnapshot, type Snapshot } from '../db/snapshot.ts';
import { LarderError } from '../errors.ts';

/** Tables whose rows the journal records and undo can put back, by entity name. */
const JOURNALED = {
  household: schema.households,
  list: schema.lists,
  item: schema.items,
  pantry: schema.pantryItems,
  category: schema.categories,
  category_memory: schema.categoryMemory,
  recipe: schema.recipes,
  ingredient_match: schema.ingredientMatches,
} as const satisfies Record<string, Table>;

export type EntityName = keyof typeof JOURNALED;

/** Entities whose rows instances keep in memory (see ReadCache): a commit changing one forgets the household's. */
const CACHED: ReadonlySet<EntityName> = new Set(['household', 'list', 'category', 'category_memory']);

/** One change to record: the row before and after (null for an insert or a delete). */
export interface Change {
  kind: string;
  entity: EntityName;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** One line a person can read: "added milk (1 l) to Shopping". */
  summary: string;
}

/** Collects a request's changes inside its transaction; written in one statement at commit. */
export interface JournalWriter {
  record(change: Change): void;
  /** Rows of `entity` changed without an event of their own (the LLM's category choices, an undo). */
  touch(entity: EntityName): void;
  readonly changes: readonly Change[];
}

/** What history and undo show of an event. */
export interface EventView {
  id: number;
  requestId: string;
  kind: string;
  entity: string;
  entityId: number | null;
  summary: string;
  actor: string;
  door: string;
  at: string;
  undone: boolean;
  undoOf: string | null;
}

export interface UndoResult {
  /** The request that was reversed. */
  requestId: string;
  /** The events reversed, newest first. */
  undone: EventView[];
  /** One line for people: "Undid: added milk (1 l) to Shopping". */
  summary: string;
}

export interface WriteOptions {
  /**
   * Run the change and roll it back: the result says exactly what the change would do, because it
   * is the same code on the same data.
   */
  dryRun?: boolean;
}

/** Carries a dry run's result out of the transaction it rolls back. */
class DryRunRollback<T> extends Error {
  constructor(readonly result: T) {
    super('dry run');
  }
}

/** Columns the system sets on its own, outside the journal: when a digest or a reminder went out. */
const BOOKKEEPING: readonly string[] = ['digest_sent_on', 'reminded_at'];

/** Postgres error codes worth one retry: serialization failure and deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

export interface JournalService {
  /**
   * Runs `work` in one transaction and writes its journal events in the same transaction, so a
   * change and its record commit or vanish together.
   */
  write<T>(ctx: RequestContext, work: (tx: Tx, journal: JournalWriter) => Promise<T>, options?: WriteOptions): Promise<T>;
  /** The household's recent events, newest first. */
  history(ctx: RequestContext, options?: { limit?: number; before?: number }): Promise<EventView[]>;
  /**
   * Reverses one event, one whole request, or (with neither) the household's last request that
   * is not itself an undo and not already undone. Refuses, changing nothing, when a later change
   * touched the same rows.
   */
  undo(ctx: RequestContext, target?: { eventId?: number; requestId?: string }): Promise<UndoResult>;
}

/** Creates the journal: the one place that opens write transactions. */
export function createJournal(deps: { db: Db; clock: Clock; cache: ReadCache }): JournalService {
  const { db, clock, cache } = deps;

  async function write<T>(
    ctx: RequestContext,
    work: (tx: Tx, journal: JournalWriter) => Promise<T>,
    options: WriteOptions = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        let touchesCache = false;
        const result = await db.transaction(async (tx) => {
          const changes: Change[] = [];
          const touch = (entity: EntityName) => void (touchesCache ||= CACHED.has(entity));
          const journal: JournalWriter = {
            record: (change) => {
              changes.push(change);
              touch(change.entity);
            },
            touch,
            changes,
          };
          const result = await work(tx, journal);
          if (options.dryRun) throw new DryRunRollback(result);
          if (changes.length > 0) await insertEvents(tx, ctx, changes, null);
          return result;
        });
        // This process reads its own writes at once; other processes hear of them through the change feed.
        if (touchesCache) cache.forget(ctx.householdId);
        return result;
      } catch (error) {
        if (error instanceof DryRunRollback) return error.result as T;
        if (attempt < 3 && RETRYABLE.has(pgCode(error) ?? '')) continue;
        throw error;
      }
    }
  }

  async function insertEvents(tx: Tx, ctx: RequestContext, changes: readonly Change[], undoOf: string | null) {
    const now = clock.now();
    await tx.insert(schema.events).values(
      changes.map((change) => {
        const table = JOURNALED[change.entity];
        const before = change.before === null ? null : toSnapshot(table, change.before);
        const after = change.after === null ? null : toSnapshot(table, change.after);
        const entityId = (after?.id ?? before?.id ?? null) as number | null;
        return {
          householdId: ctx.householdId,
          requestId: ctx.requestId,
          door: ctx.actor.door,
          actor: ctx.actor.name,
          kind: change.kind,
          entity: change.entity,
          entityId,
          summary: change.summary,
          before,
          after,
          undoOf,
          createdAt: now,
        };
      }),
    );
  }

  async function history(ctx: RequestContext, options: { limit?: number; before?: number } = {}) {
    const rows = await db
      .select()
      .from(schema.events)
      .where(
        and(
          eq(schema.events.householdId, ctx.householdId),
          options.before === undefined ? undefined : lt(schema.events.id, options.before),
        ),
      )
      .orderBy(desc(schema.events.id))
      .limit(Math.min(Math.max(options.limit ?? 20, 1), 200));
    return rows.map(toView);
  }

  async function undo(ctx: RequestContext, target: { eventId?: number; requestId?: string } = {}): Promise<UndoResult> {
    return write(ctx, async (tx, journal) => {
      const targets = await findTargets(tx, ctx.householdId, target);
      const reversed: EventView[] = [];
      // Newest first, so a request that created a list and then items in it unwinds cleanly.
      for (const event of [...targets].sort((a, b) => b.id - a.id)) {
        await reverseEvent(tx, event);
        journal.touch(event.entity as EntityName);
        reversed.push(toView(event));
      }
      await tx
        .update(schema.events)
        .set({ undoneAt: clock.now() })
        .where(inArray(schema.events.id, targets.map((event) => event.id)));
      const requestId = targets[0]?.requestId ?? '';
      // The undo is journaled too, so history shows it; "undo last" skips undo events.
      await insertEvents(
        tx,
        ctx,
        targets.map((event) => ({
          kind: 'undo',
          entity: event.entity as EntityName,
          before: null,
          after: null,
          summary: `undid: ${event.summary}`,
        })),
        requestId,
      );
      return { requestId, undone: reversed, summary: `Undid: ${summarize(reversed.map((event) => event.summary))}` };
    });
  }

  async function findTargets(
    tx: Tx,
    householdId: number,
    target: { eventId?: number; requestId?: string },
  ): Promise<schema.JournalEvent[]> {
    const inHousehold = eq(schema.events.householdId, householdId);
    if (target.eventId !== undefined) {
      const [event] = await tx
        .select()
        .from(schema.events)
        .where(and(inHousehold, eq(schema.events.id, target.eventId)))
        .for('update');
      if (!event) throw new LarderError('not_found:event', `There is no change #${target.eventId} in this household.`);
      if (event.kind === 'undo') throw new LarderError('invalid:undo', 'That entry is itself an undo; make the change again instead.');
      if (event.undoneAt) throw new LarderError('conflict:undo', `Change #${event.id} (${event.summary}) was already undone.`);
      return [event];
    }
    let requestId = target.requestId;
    if (requestId === undefined) {
      const [last] = await tx
        .select({ requestId: schema.events.requestId })
        .from(schema.events)
        .where(and(inHousehold, isNull(schema.events.undoneAt), sql`${schema.events.kind} <> 'undo'`))
        .orderBy(desc(schema.events.id))
        .limit(1);
      if (!last) throw new LarderError('not_found:event', 'There is nothing to undo yet.');
      requestId = last.requestId;
    }
    // Locked, so two undos racing for the same request reverse it once.
    const events = await tx
      .select()
      .from(schema.events)
      .where(and(inHousehold, eq(schema.events.requestId, requestId), sql`${schema.events.kind} <> 'undo'`))
      .for('update');
    if (events.length === 0) throw new LarderError('not_found:event', 'There is no such change in this household.');
    const open = events.filter((event) => event.undoneAt === null);
    if (open.length === 0) throw new LarderError('conflict:undo', `That change (${summarize(events.map((e) => e.summary))}) was already undone.`);
    return open;
  }

  return { write, history, undo };
}

/**
 * Puts one event's `before` back, after checking the row still looks like its `after`: if a
 * later change touched it, undoing this one would silently throw that change away.
 */
async function reverseEvent(tx: Tx, event: schema.JournalEvent): Promise<void> {
  const table = JOURNALED[event.entity as EntityName];
  if (!table) throw new LarderError('invalid:undo', `Changes to ${event.entity} cannot be undone.`);
  const name = sql.identifier(getTableName(table));
  const id = (event.after?.id ?? event.before?.id) as number | undefined;
  if (id === undefined) throw new LarderError('invalid:undo', `Change #${event.id} has no row to restore.`);

  // Bookkeeping columns change without a journal event (a reminder sent); they neither block an undo nor are put back by it.
  const ignored = sql.raw(['updated_at', ...BOOKKEEPING].map((column) => ` - '${column}'`).join(''));
  const [row] = await queryRows<{ matches: boolean | null }>(tx, sql`
    select ${event.after === null ? sql`null` : sql`(to_jsonb(t)${ignored}) = (to_jsonb(jsonb_populate_record(null::${name}, ${JSON.stringify(event.after)}::jsonb))${ignored})`} as matches
    from ${name} t where t.id = ${id} for update`);
  const stale =
    event.after === null ? row !== undefined : row === undefined || row.matches !== true;
  if (stale) {
    throw new LarderError(
      'conflict:undo',
      `Can't undo "${event.summary}": it was changed again since. Undo the later change first, or fix it by hand.`,
      { eventId: event.id },
    );
  }

  try {
    if (event.before === null) {
      await tx.execute(sql`delete from ${name} where id = ${id}`);
    } else if (event.after === null) {
      await tx.execute(sql`insert into ${name} select * from jsonb_populate_record(null::${name}, ${JSON.stringify(event.before)}::jsonb)`);
    } else {
      const columns = sql.join(
        columnNames(table)
          .filter((column) => !BOOKKEEPING.includes(column))
          .map((column) => sql.identifier(column)),
        sql`, `,
      );
      await tx.execute(sql`
        update ${name} set (${columns}) = (select ${columns} from jsonb_populate_record(null::${name}, ${JSON.stringify(event.before)}::jsonb))
        where id = ${id}`);
    }
  } catch (error) {
    if (pgCode(error) === '23505') {
      throw new LarderError(
        'conflict:undo',
        `Can't undo "${event.summary}": an item with the same name was added since. Remove it first.`,
        { eventId: event.id },
        { cause: error },
      );
    }
    if (pgCode(error) === '23503') {
      throw new LarderError(
        'conflict:undo',
        `Can't undo "${event.summary}": something it belongs to (a list, recipe or category) was removed since. Undo that first.`,
        { eventId: event.id },
        { cause: error },
      );
    }
    throw error;
  }
}

function toView(event: schema.JournalEvent): EventView {
  return {
    id: event.id,
    requestId: event.requestId,
    kind: event.kind,
    entity: event.entity,
    entityId: event.entityId,
    summary: event.summary,
    actor: event.actor,
    door: event.door,
    at: event.createdAt.toISOString(),
    undone: event.undoneAt !== null,
    undoOf: event.undoOf,
  };
}

/** "a, b and 3 more" — keeps undo and history lines short. */
export function summarize(lines: readonly string[], max = 3): string {
  if (lines.length <= max) return lines.join('; ');
  return `${lines.slice(0, max).join('; ')} and ${lines.length - max} more`;
}

/** The PostgreSQL SQLSTATE of an error from either driver, looking through drizzle's wrapper. */
export function pgCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 4; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = cause;
  }
  return undefined;
}

export type { Snapshot };
