import type { Clock } from '../core/clock.ts';
import { createRateLimiter } from '../core/rate-limit.ts';
import type { Context, MiddlewareFn, NextFunction } from 'grammy';
import type { Chat, User } from 'grammy/types';
import type { Assistant } from '../core/assistant/assistant.ts';
import { newRequest } from '../core/context.ts';
import type { Core } from '../core/core.ts';
import type { AdvisoryLock } from '../core/db/client.ts';
import type { Member } from '../core/db/schema.ts';
import type { Logger } from '../core/log.ts';
import { isAddressed } from './addressing.ts';
import { COMMAND_NAMES } from './commands.ts';
import type { LarderContext } from './context.ts';
import type { TelegramStore } from './store.ts';

/** The key updates are ordered by: one chat's updates run one after another, chats run side by side. */
export function chatKey(ctx: Context): string | undefined {
  return ctx.chat?.id.toString();
}

/**
 * The namespace of the per-chat advisory locks, `pg_advisory_lock(CHAT_LOCK_NAMESPACE, key)`.
 * The migration (7261001) and scheduler (7261002) locks use the one-bigint form, whose keys
 * PostgreSQL keeps apart from two-int keys; a namespace of its own keeps any later two-int lock apart too.
 */
export const CHAT_LOCK_NAMESPACE = 7261003;

/**
 * A chat id (64-bit) folded into the 32-bit key of its lock. Two chats that share a key only
 * wait for each other now and then; a chat always gets the same key, on every instance.
 *
 * @example chatLockKey(-1001234567890) === chatLockKey(-1001234567890)
 */
export function chatLockKey(chatId: number): number {
  const id = BigInt(chatId);
  return Number(BigInt.asIntN(32, id ^ (id >> 32n)));
}

/**
 * One chat's updates one after another across every instance on the database: the update holds
 * its chat's PostgreSQL advisory lock while it is handled, reply included. `sequentialize` keeps
 * the order inside a process; this keeps it when a load balancer spreads a chat over instances.
 * Waiters are granted the lock in the order they asked for it, so a chat's updates run in the
 * order they reached the database. Without a lock (PGlite: one process) it does nothing.
 */
export function chatOrder(lock: AdvisoryLock | null): MiddlewareFn<Context> {
  return async (ctx, next) => {
    // The same chat `chatKey` orders by inside the process.
    const chatId = ctx.chat?.id;
    if (lock === null || chatId === undefined) return next();
    await lock(CHAT_LOCK_NAMESPACE, chatLockKey(chatId), () => next());
  };
}

/** "Ada Okafor". */
export function displayName(user: User): string {
  return [user.first_name, user.last_name].filter(Boolean).join(' ').slice(0, 100) || user.username || `user ${user.id}`;
}

/**
 * Lets through only what Larder answers: private messages; group messages addressed to it
 * (a command, an @mention, a reply to it); button presses; being added to a group. Everything
 * else ends here without a single Bot API call. A group that became a supergroup takes its
 * household along.
 */
export function gate(store: TelegramStore): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const { update } = ctx;
    if (update.message) {
      const message = update.message;
      if (message.migrate_to_chat_id !== undefined) {
        await store.moveChat(message.chat.id, message.migrate_to_chat_id);
        return;
      }
      if (!message.from || message.from.is_bot) return;
      if (message.chat.type === 'private') return next();
      if (isAddressed(message, { id: ctx.me.id, username: ctx.me.username }, COMMAND_NAMES)) return next();
      return;
    }
    if (update.callback_query) {
      // Larder's buttons are on messages in chats; the chat decides the household.
      if (update.callback_query.message && !update.callback_query.from.is_bot) return next();
      return;
    }
    if (update.my_chat_member) {
      const { old_chat_member: before, new_chat_member: after, chat } = update.my_chat_member;
      const wasOut = before.status === 'left' || before.status === 'kicked';
      const isIn = after.status === 'member' || after.status === 'administrator';
      if (chat.type !== 'private' && chat.type !== 'channel' && wasOut && isIn) return next();
    }
    // Edited messages, reactions, channel posts…: not for Larder.
  };
}

/** Handles each update once: Telegram redelivers a webhook update it thinks failed, and restarts can repeat a batch. */
export function once(store: TelegramStore, log: Logger): MiddlewareFn<Context> {
  return async (ctx, next) => {
    if (!(await store.firstDelivery(ctx.update.update_id))) {
      log.info({ updateId: ctx.update.update_id }, 'skipped an update delivered twice');
      return;
    }
    await next();
  };
}

/** Counts updates being handled, so a stop can wait for them. */
export function createInflight(): { middleware: MiddlewareFn<Context>; idle(): Promise<void>; size(): number } {
  const running = new Set<Promise<void>>();
  return {
    middleware: async (_ctx: Context, next: NextFunction) => {
      const work = next();
      running.add(work);
      try {
        await work;
      } finally {
        running.delete(work);
      }
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    size: () => running.size,
  };
}

/** The slug of a group's household. */
export const groupSlug = (chatId: number) => `tg-${chatId}`;
/** The slug of a person's own household. */
export const personalSlug = (userId: number) => `tg-user-${userId}`;

/**
 * The first of Larder's middleware: sets `core`, `assistant`, the household of the chat (a group
 * is its own household, created on its first message; a private chat acts for the user's
 * household, a personal one until they join another) and the member who is acting.
 */
export function larderContext(deps: { core: Core; assistant: Assistant; log: Logger; store: TelegramStore }): MiddlewareFn<LarderContext> {
  const { core, assistant, log, store } = deps;
  // Members are written when their name is new, not on every message.
  const members = new Map<string, Member>();

  async function groupHousehold(chat: Chat.GroupChat | Chat.SupergroupChat): Promise<number> {
    const known = await store.chatHousehold(chat.id);
    if (known !== null) return known;
    const household = await core.households.ensure(groupSlug(chat.id), { name: chat.title.slice(0, 200) || 'Telegram group' });
    const linked = await store.linkChat({ chatId: chat.id, householdId: household.id, type: chat.type, title: chat.title });
    log.info({ householdId: linked, chatType: chat.type }, 'a new group household');
    return linked;
  }

  async function privateHousehold(user: User, name: string): Promise<number> {
    const known = await store.userHousehold(user.id);
    if (known !== null) return known;
    const household = await core.households.ensure(personalSlug(user.id), { name: `${name}’s household`.slice(0, 200) });
    return store.linkUser({ userId: user.id, displayName: name, householdId: household.id });
  }

  async function memberOf(householdId: number, user: User, name: string, owner: boolean): Promise<Member> {
    const key = `${householdId}:${user.id}:${name}`;
    const cached = members.get(key);
    if (cached) return cached;
    const member = await core.households.upsertMember(householdId, { telegramUserId: BigInt(user.id), displayName: name, role: owner ? 'owner' : 'member' });
    if (members.size > 10_000) members.clear();
    members.set(key, member);
    return member;
  }

  return async (ctx, next) => {
    const chat = ctx.chat;
    const from = ctx.from;
    if (!chat || !from || chat.type === 'channel') return;
    ctx.core = core;
    ctx.assistant = assistant;
    ctx.log = log;
    const name = displayName(from);
    const householdId = chat.type === 'private' ? await privateHousehold(from, name) : await groupHousehold(chat);
    const household = await core.households.get(householdId);
    const member = await memberOf(householdId, from, name, chat.type === 'private' && household.slug === personalSlug(from.id));
    ctx.household = household;
    ctx.member = member;
    ctx.request = () => newRequest(householdId, { door: 'bot', name: member.displayName, memberId: member.id });
    await next();
  };
}

/** How many messages and button presses one person may send in one chat per minute. */
export const DEFAULT_USER_PER_MINUTE = 30;

/**
 * Abuse guard: past the per-person limit in a chat, updates are dropped. The first one dropped
 * in a burst gets a short answer, so a person knows why the bot went quiet; the rest get nothing.
 */
export function userLimit(options: { perMinute: number; clock?: Clock; log: Logger }): MiddlewareFn<Context> {
  const limiter = createRateLimiter({ limit: options.perMinute, ...(options.clock ? { clock: options.clock } : {}) });
  return async (ctx, next) => {
    const user = ctx.from?.id;
    if (user === undefined || ctx.chat === undefined) return next();
    const decision = limiter.take(`${ctx.chat.id}:${user}`);
    if (decision.allowed) return next();
    if (!decision.first) return;
    options.log.warn({ chatId: ctx.chat.id, userId: user }, 'a user went past the message limit');
    const wait = Math.ceil(decision.retryAfterMs / 1000);
    const text = `That's a lot of messages at once; I'll listen again in about ${wait} s.`;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text });
    else await ctx.reply(text);
  };
}
