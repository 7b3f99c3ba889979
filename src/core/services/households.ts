import { and, eq } from 'drizzle-orm';
import { DEFAULT_CATEGORIES } from '../catalog/default-categories.ts';
import type { Clock } from '../clock.ts';
import type { RequestContext } from '../context.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import { LarderError } from '../errors.ts';
import type { JournalService } from './journal.ts';

/** The name of the grocery list every household starts with. */
export const DEFAULT_LIST_NAME = 'Shopping';

export interface HouseholdSettings {
  name?: string;
  timeZone?: string;
  locale?: string;
  digestTime?: string | null;
}

export interface HouseholdService {
  /** The household with this slug, created (with default categories and the Shopping list) if missing. */
  ensure(slug: string, init?: { name?: string; timeZone?: string }): Promise<schema.Household>;
  findBySlug(slug: string): Promise<schema.Household | null>;
  get(id: number): Promise<schema.Household>;
  /** Records a member (by Telegram user id) or refreshes their display name. */
  upsertMember(householdId: number, member: { telegramUserId: bigint; displayName: string; role?: 'owner' | 'member' }): Promise<schema.Member>;
  members(householdId: number): Promise<schema.Member[]>;
  /** Changes settings; journaled and undoable. */
  update(ctx: RequestContext, settings: HouseholdSettings): Promise<schema.Household>;
}

/** True when `timeZone` is an IANA zone this runtime knows ("Europe/Stockholm"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Turns a household name as typed into its slug: "The Okafors" → "the-okafors". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  if (!SLUG.test(slug)) {
    throw new LarderError('invalid:household', `"${name}" can't name a household: use letters, digits, "-" or "_".`);
  }
  return slug;
}

export function createHouseholdService(deps: { db: Db; clock: Clock; journal: JournalService }): HouseholdService {
  const { db, clock, journal } = deps;

  async function findBySlug(slug: string, tx: DbOrTx = db) {
    const [row] = await tx.select().from(schema.households).where(eq(schema.households.slug, slug));
    return row ?? null;
  }

  async function get(id: number) {
    const [row] = await db.select().from(schema.households).where(eq(schema.households.id, id));
    if (!row) throw new LarderError('not_found:household', `There is no household #${id}.`);
    return row;
  }

  async function ensure(slug: string, init: { name?: string; timeZone?: string } = {}) {
    if (!SLUG.test(slug)) slug = slugify(slug);
    const existing = await findBySlug(slug);
    if (existing) return existing;
    if (init.timeZone !== undefined && !isValidTimeZone(init.timeZone)) {
      throw new LarderError('invalid:time_zone', `"${init.timeZone}" is not a time zone; use one like "Europe/Stockholm".`);
    }
    return db.transaction(async (tx) => {
      const now = clock.now();
      // Two first messages at once must not create two households: the slug decides.
      const [created] = await tx
        .insert(schema.households)
        .values({ slug, name: init.name ?? slug, timeZone: init.timeZone ?? 'UTC', createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: schema.households.slug })
        .returning();
      if (!created) {
        const raced = await findBySlug(slug, tx);
        if (!raced) throw new LarderError('conflict:household', `Household "${slug}" could not be created.`);
        return raced;
      }
      await tx.insert(schema.categories).values(
        DEFAULT_CATEGORIES.map((name, position) => ({ householdId: created.id, name, position, createdAt: now, updatedAt: now })),
      );
      await tx.insert(schema.lists).values({
        householdId: created.id,
        name: DEFAULT_LIST_NAME,
        kind: 'grocery',
        isDefault: true,
        createdAt: now,
        updatedAt: now,
      });
      return created;
    });
  }

  async function upsertMember(householdId: number, member: { telegramUserId: bigint; displayName: string; role?: 'owner' | 'member' }) {
    const now = clock.now();
    const [row] = await db
      .insert(schema.members)
      .values({ householdId, telegramUserId: member.telegramUserId, displayName: member.displayName, role: member.role ?? 'member', createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [schema.members.householdId, schema.members.telegramUserId],
        set: { displayName: member.displayName, updatedAt: now },
      })
      .returning();
    if (!row) throw new LarderError('conflict:member', 'Could not record the member.');
    return row;
  }

  async function members(householdId: number) {
    return db.select().from(schema.members).where(eq(schema.members.householdId, householdId));
  }

  async function update(ctx: RequestContext, settings: HouseholdSettings) {
    if (settings.timeZone !== undefined && !isValidTimeZone(settings.timeZone)) {
      throw new LarderError('invalid:time_zone', `"${settings.timeZone}" is not a time zone; use one like "Europe/Stockholm" or "America/New_York".`);
    }
    if (settings.digestTime != null && !/^([01]\d|2[0-3]):[0-5]\d$/.test(settings.digestTime)) {
      throw new LarderError('invalid:digest_time', `"${settings.digestTime}" is not a time of day; use HH:MM, like 08:00.`);
    }
    if (settings.name !== undefined && (settings.name.trim() === '' || settings.name.length > 200)) {
      throw new LarderError('invalid:name', 'A household name must be 1 to 200 characters.');
    }
    return journal.write(ctx, async (tx, log) => {
      const [before] = await tx.select().from(schema.households).where(eq(schema.households.id, ctx.householdId)).for('update');
      if (!before) throw new LarderError('not_found:household', 'This household no longer exists.');
      const [after] = await tx
        .update(schema.households)
        .set({ ...settings, name: settings.name?.trim() ?? before.name, updatedAt: clock.now() })
        .where(and(eq(schema.households.id, ctx.householdId)))
        .returning();
      if (!after) throw new LarderError('not_found:household', 'This household no longer exists.');
      const changed = Object.keys(settings).join(', ');
      log.record({ kind: 'household.update', entity: 'household', before, after, summary: `changed settings (${changed})` });
      return after;
    });
  }

  return { ensure, findBySlug: (slug) => findBySlug(slug), get, upsertMember, members, update };
}
