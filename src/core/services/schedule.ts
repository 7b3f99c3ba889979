import { and, asc, eq, inArray, isNotNull, isNull, lte, lt, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/client.ts';
import * as schema from '../db/schema.ts';
import { localDate } from '../time.ts';

/** The advisory lock key of a scheduler tick (migrations use 7261001). */
export const SCHEDULER_LOCK_KEY = 7261002;

/** A task whose reminder is due, claimed for sending. */
export interface DueReminder {
  itemId: number;
  householdId: number;
  title: string;
  note: string | null;
  addedBy: string | null;
  dueAt: Date | null;
  remindAt: Date;
}

/** A household whose daily digest is due, claimed for its local day. */
export interface DueDigest {
  householdId: number;
  timeZone: string;
  /** The household's local date the digest is for ("YYYY-MM-DD"). */
  localDate: string;
}

/** Tuning of one claim. */
export interface ClaimOptions {
  /** How late a digest may still go out after its time (the process was down at 08:00). Default 120 minutes. */
  digestGraceMinutes?: number;
  /** At most this many reminders per tick; the rest wait for the next. Default 100. */
  limit?: number;
}

/** The queries behind reminders and the daily digest. */
export interface ScheduleService {
  /**
   * Claims what is due at `now` — reminders (marked reminded) and digests (marked sent for the
   * household's local day) — in one transaction that first takes a transaction-scoped advisory
   * lock, so when several instances tick at once exactly one of them gets the work. Null when
   * another instance holds the tick. Only households someone can be told about (with a Telegram
   * chat or user) are considered.
   */
  claimDue(now: Date, options?: ClaimOptions): Promise<{ reminders: DueReminder[]; digests: DueDigest[] } | null>;
  /** Gives a claimed reminder back (its message could not be sent for a reason worth retrying). */
  releaseReminder(itemId: number): Promise<void>;
  /** Forgets Telegram update ids handled before `before` (redeliveries come within hours). */
  pruneProcessedUpdates(before: Date): Promise<void>;
}

/** "HH:MM" at `instant` in `timeZone`, 24-hour clock. */
export function localTime(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const hour = parts.find((part) => part.type === 'hour')?.value ?? '00';
  const minute = parts.find((part) => part.type === 'minute')?.value ?? '00';
  return `${hour}:${minute}`;
}

const minutesOf = (time: string) => {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
};

/**
 * The local date a household's digest is due for at `now`, or null: due from `digestTime` (its
 * local time) for `graceMinutes`, once per local day.
 *
 * @example digestDueOn({ digestTime: '08:00', digestSentOn: null, timeZone: 'Europe/Stockholm' }, new Date('2026-03-06T07:00:00Z')) // '2026-03-06'
 */
export function digestDueOn(
  household: { digestTime: string | null; digestSentOn: string | null; timeZone: string },
  now: Date,
  graceMinutes = 120,
): string | null {
  if (household.digestTime === null) return null;
  let today: string;
  let time: string;
  try {
    today = localDate(now, household.timeZone);
    time = localTime(now, household.timeZone);
  } catch {
    return null;
  }
  if (household.digestSentOn === today) return null;
  const late = minutesOf(time) - minutesOf(household.digestTime);
  return late >= 0 && late < graceMinutes ? today : null;
}

/** Creates the scheduler's queries; the bot sends what they claim. */
export function createScheduleService(deps: { db: Db }): ScheduleService {
  const { db } = deps;

  /** Households someone can be told about. */
  const reachable = (householdId: AnyPgColumn) =>
    or(
      sql`exists (select 1 from ${schema.telegramChats} where ${schema.telegramChats.householdId} = ${householdId})`,
      sql`exists (select 1 from ${schema.telegramUsers} where ${schema.telegramUsers.householdId} = ${householdId})`,
    );

  async function claimDue(now: Date, options: ClaimOptions = {}) {
    return db.transaction(async (tx) => {
      const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${SCHEDULER_LOCK_KEY}) as locked`);
      if (!lock?.locked) return null;

      const due = await tx
        .select({ id: schema.items.id })
        .from(schema.items)
        .where(
          and(
            isNull(schema.items.remindedAt),
            isNotNull(schema.items.remindAt),
            lte(schema.items.remindAt, now),
            eq(schema.items.checked, false),
            reachable(schema.items.householdId),
          ),
        )
        .orderBy(asc(schema.items.remindAt))
        .limit(options.limit ?? 100);
      const claimed =
        due.length === 0
          ? []
          : await tx
              .update(schema.items)
              .set({ remindedAt: now })
              .where(and(inArray(schema.items.id, due.map((row) => row.id)), isNull(schema.items.remindedAt)))
              .returning();
      const reminders: DueReminder[] = claimed
        .sort((a, b) => (a.remindAt?.getTime() ?? 0) - (b.remindAt?.getTime() ?? 0))
        .map((item) => ({
          itemId: item.id,
          householdId: item.householdId,
          title: item.name,
          note: item.note,
          addedBy: item.addedBy,
          dueAt: item.dueAt,
          remindAt: item.remindAt ?? now,
        }));

      const candidates = await tx
        .select({
          id: schema.households.id,
          timeZone: schema.households.timeZone,
          digestTime: schema.households.digestTime,
          digestSentOn: schema.households.digestSentOn,
        })
        .from(schema.households)
        .where(and(isNotNull(schema.households.digestTime), reachable(schema.households.id)));
      const digests: DueDigest[] = [];
      for (const household of candidates) {
        const day = digestDueOn(household, now, options.digestGraceMinutes);
        if (day === null) continue;
        // Compare-and-set: the day is claimed once even if a tick ran without the lock.
        const [row] = await tx
          .update(schema.households)
          .set({ digestSentOn: day })
          .where(and(eq(schema.households.id, household.id), or(isNull(schema.households.digestSentOn), lt(schema.households.digestSentOn, day))))
          .returning({ id: schema.households.id });
        if (row) digests.push({ householdId: household.id, timeZone: household.timeZone, localDate: day });
      }
      return { reminders, digests };
    });
  }

  return {
    claimDue,
    async releaseReminder(itemId) {
      await db.update(schema.items).set({ remindedAt: null }).where(eq(schema.items.id, itemId));
    },
    async pruneProcessedUpdates(before) {
      await db.delete(schema.processedUpdates).where(lt(schema.processedUpdates.processedAt, before));
    },
  };
}
