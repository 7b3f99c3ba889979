import { randomInt } from 'node:crypto';
import { and, eq, gt, inArray, ne } from 'drizzle-orm';
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db/client.ts';
import * as schema from '../core/db/schema.ts';

/** Join codes are valid this long. */
export const JOIN_CODE_TTL_MS = 24 * 60 * 60 * 1000;

// No 0/O, 1/I/L: a code is read aloud and typed on a phone.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

/** Telegram's own rows: which chat and which user act for which household, join codes, handled updates. */
export interface TelegramStore {
  /** Records an update id; false when it was handled before (a redelivery). */
  firstDelivery(updateId: number): Promise<boolean>;
  /** The household a chat belongs to, if the chat is known. */
  chatHousehold(chatId: number): Promise<number | null>;
  /** Links a group chat to its household (the first link wins; the title is refreshed). */
  linkChat(chat: { chatId: number; householdId: number; type: string; title: string | null }): Promise<number>;
  /** A group upgraded to a supergroup gets a new id; the household follows it. */
  moveChat(fromChatId: number, toChatId: number): Promise<void>;
  /** The household a user's private chat acts for, if the user is known. */
  userHousehold(userId: number): Promise<number | null>;
  /** Records a user; with `move` their private chat acts for that household from now on. */
  linkUser(user: { userId: number; displayName: string; householdId: number }, options?: { move?: boolean }): Promise<number>;
  /** A new code that lets people join `householdId` from a private chat. */
  createJoinCode(householdId: number): Promise<{ code: string; expiresAt: Date }>;
  /** The household a code joins, if the code exists and has not expired. */
  redeemJoinCode(code: string): Promise<number | null>;
  /**
   * Where to tell a household something unprompted (reminders, digest): its group chats, or
   * else the private chats of the people who use it.
   */
  chatsOf(householdId: number): Promise<number[]>;
}

/** Normalizes a code as typed ("k7qx 2m9p" → "K7QX2M9P"). */
export function normalizeJoinCode(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Creates the store on the core's database. */
export function createTelegramStore(deps: { db: Db; clock: Clock }): TelegramStore {
  const { db, clock } = deps;

  return {
    async firstDelivery(updateId) {
      const rows = await db
        .insert(schema.processedUpdates)
        .values({ updateId: BigInt(updateId), processedAt: clock.now() })
        .onConflictDoNothing()
        .returning({ updateId: schema.processedUpdates.updateId });
      return rows.length > 0;
    },

    async chatHousehold(chatId) {
      const [row] = await db
        .select({ householdId: schema.telegramChats.householdId })
        .from(schema.telegramChats)
        .where(eq(schema.telegramChats.chatId, BigInt(chatId)));
      return row?.householdId ?? null;
    },

    async linkChat(chat) {
      const now = clock.now();
      const [row] = await db
        .insert(schema.telegramChats)
        .values({ chatId: BigInt(chat.chatId), householdId: chat.householdId, type: chat.type, title: chat.title, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: schema.telegramChats.chatId, set: { title: chat.title, type: chat.type, updatedAt: now } })
        .returning({ householdId: schema.telegramChats.householdId });
      return row?.householdId ?? chat.householdId;
    },

    async moveChat(fromChatId, toChatId) {
      const [old] = await db.select().from(schema.telegramChats).where(eq(schema.telegramChats.chatId, BigInt(fromChatId)));
      if (!old) return;
      const now = clock.now();
      await db
        .insert(schema.telegramChats)
        .values({ chatId: BigInt(toChatId), householdId: old.householdId, type: 'supergroup', title: old.title, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: schema.telegramChats.chatId, set: { householdId: old.householdId, updatedAt: now } });
    },

    async userHousehold(userId) {
      const [row] = await db
        .select({ householdId: schema.telegramUsers.householdId })
        .from(schema.telegramUsers)
        .where(eq(schema.telegramUsers.userId, BigInt(userId)));
      return row?.householdId ?? null;
    },

    async linkUser(user, options = {}) {
      const now = clock.now();
      const values = { userId: BigInt(user.userId), displayName: user.displayName, householdId: user.householdId, createdAt: now, updatedAt: now };
      const [row] = await db
        .insert(schema.telegramUsers)
        .values(values)
        .onConflictDoUpdate({
          target: schema.telegramUsers.userId,
          set: options.move ? { householdId: user.householdId, displayName: user.displayName, updatedAt: now } : { displayName: user.displayName, updatedAt: now },
        })
        .returning({ householdId: schema.telegramUsers.householdId });
      return row?.householdId ?? user.householdId;
    },

    async createJoinCode(householdId) {
      const expiresAt = new Date(clock.now().getTime() + JOIN_CODE_TTL_MS);
      for (;;) {
        const code = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
        const rows = await db
          .insert(schema.joinCodes)
          .values({ code, householdId, expiresAt, createdAt: clock.now() })
          .onConflictDoNothing()
          .returning({ code: schema.joinCodes.code });
        if (rows.length > 0) return { code, expiresAt };
      }
    },

    async redeemJoinCode(code) {
      const [row] = await db
        .select({ householdId: schema.joinCodes.householdId })
        .from(schema.joinCodes)
        .where(and(eq(schema.joinCodes.code, normalizeJoinCode(code)), gt(schema.joinCodes.expiresAt, clock.now())));
      return row?.householdId ?? null;
    },

    async chatsOf(householdId) {
      const groups = await db
        .select({ chatId: schema.telegramChats.chatId })
        .from(schema.telegramChats)
        .where(and(eq(schema.telegramChats.householdId, householdId), ne(schema.telegramChats.type, 'private')));
      if (groups.length > 0) return groups.map((row) => Number(row.chatId));
      const users = await db
        .select({ userId: schema.telegramUsers.userId })
        .from(schema.telegramUsers)
        .where(inArray(schema.telegramUsers.householdId, [householdId]));
      // A private chat's id is the user's id.
      return users.map((row) => Number(row.userId));
    },
  };
}
