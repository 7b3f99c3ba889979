import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Transformer } from 'grammy';

/** At most `count` calls in any `ms` milliseconds. */
export interface RateWindow {
  count: number;
  ms: number;
}

/** The outgoing limits: over all chats, per chat, and per group (messages only). */
export interface RateLimits {
  global: RateWindow;
  perChat: RateWindow;
  perGroup: RateWindow;
}

/**
 * Telegram's published limits (about 30 messages a second overall, one a second in a chat, 20 a
 * minute in a group) and nothing stricter: a first message always goes at once.
 */
export const TELEGRAM_LIMITS: RateLimits = {
  global: { count: 30, ms: 1_000 },
  perChat: { count: 1, ms: 1_000 },
  perGroup: { count: 20, ms: 60_000 },
};

/** The same limits with every window scaled (tests use 0.01 so a conversation does not take seconds). */
export function scaleLimits(limits: RateLimits, factor: number): RateLimits {
  const scale = (window: RateWindow) => ({ count: window.count, ms: Math.max(1, Math.round(window.ms * factor)) });
  return { global: scale(limits.global), perChat: scale(limits.perChat), perGroup: scale(limits.perGroup) };
}

/** Methods that put a message in a chat (they count toward every limit). */
const SENDS = /^(send(?!ChatAction$)|copyMessage|copyMessages|forwardMessage|forwardMessages)/;
/** Methods that change a message (they count toward the per-chat and global limits, not the group's 20 a minute). */
const EDITS = /^editMessage/;

/** Kind of outgoing call, or null for calls Telegram does not rate-limit per chat (callback answers, getFile, chat actions…). */
export function limitedKind(method: string): 'send' | 'edit' | null {
  if (SENDS.test(method)) return 'send';
  if (EDITS.test(method)) return 'edit';
  return null;
}

/** True when the time `at` can join the `taken` times without any window of `window.ms` holding more than `window.count`. */
function fits(taken: readonly number[], at: number, window: RateWindow): boolean {
  // Only windows that contain `at` change; each starts at some reserved time in (at - ms, at].
  for (const start of [...taken, at]) {
    if (start > at || start <= at - window.ms) continue;
    let inside = 1;
    for (const time of taken) if (time >= start && time < start + window.ms) inside += 1;
    if (inside > window.count) return false;
  }
  return true;
}

function insertSorted(list: number[], value: number): void {
  let index = list.length;
  while (index > 0 && (list[index - 1] ?? 0) > value) index -= 1;
  list.splice(index, 0, value);
}

/** A sliding-window limiter for outgoing Bot API calls, as a grammY API transformer. */
export interface RateLimiter {
  /** Install with `bot.api.config.use(limiter.transformer)`. */
  transformer: Transformer;
  /**
   * Reserves the earliest moment a call to `chatId` may go, in the order calls arrive (so replies
   * in a chat keep their order), and returns it (ms since the epoch).
   */
  reserve(chatId: string, kind: 'send' | 'edit'): number;
}

/**
 * Creates the limiter. Reservations are made synchronously when a call arrives, so calls to one
 * chat leave in the order they were made even when they have to wait.
 *
 * @example bot.api.config.use(createRateLimiter(TELEGRAM_LIMITS).transformer);
 */
export function createRateLimiter(
  limits: RateLimits = TELEGRAM_LIMITS,
  deps: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): RateLimiter {
  const now = deps.now ?? Date.now;
  // Waits are short (a second in a chat, at most a minute in a busy group), so they are not cancelled.
  const sleep = deps.sleep ?? ((ms: number) => sleepFor(ms));
  const global: number[] = [];
  const perChat = new Map<string, number[]>();
  const perGroup = new Map<string, number[]>();
  const longest = Math.max(limits.global.ms, limits.perChat.ms, limits.perGroup.ms);

  function prune(current: number) {
    const drop = (list: number[], ms: number) => {
      while (list.length > 0 && (list[0] ?? 0) <= current - ms) list.shift();
    };
    drop(global, limits.global.ms);
    for (const [key, list] of perChat) {
      drop(list, limits.perChat.ms);
      if (list.length === 0) perChat.delete(key);
    }
    for (const [key, list] of perGroup) {
      drop(list, limits.perGroup.ms);
      if (list.length === 0) perGroup.delete(key);
    }
  }

  function reserve(chatId: string, kind: 'send' | 'edit'): number {
    const current = now();
    prune(current);
    const chat = perChat.get(chatId) ?? [];
    perChat.set(chatId, chat);
    const isGroup = chatId.startsWith('-') || chatId.startsWith('@');
    const group = isGroup && kind === 'send' ? (perGroup.get(chatId) ?? []) : null;
    if (group) perGroup.set(chatId, group);
    const checks: Array<[number[], RateWindow]> = [
      [global, limits.global],
      [chat, limits.perChat],
      ...(group ? ([[group, limits.perGroup]] as Array<[number[], RateWindow]>) : []),
    ];
    // The earliest moment is now or when some reserved call leaves a window.
    const candidates = [current, ...checks.flatMap(([list, window]) => list.map((time) => time + window.ms))]
      .filter((time) => time >= current)
      .sort((a, b) => a - b);
    const at = candidates.find((time) => checks.every(([list, window]) => fits(list, time, window))) ?? current + longest;
    for (const [list] of checks) insertSorted(list, at);
    return at;
  }

  const transformer: Transformer = async (prev, method, payload, signal) => {
    const kind = limitedKind(method);
    const chatId = payload && typeof payload === 'object' && 'chat_id' in payload ? (payload as { chat_id: unknown }).chat_id : undefined;
    if (kind === null || (typeof chatId !== 'number' && typeof chatId !== 'string')) return prev(method, payload, signal);
    const wait = reserve(String(chatId), kind) - now();
    if (wait > 0) await sleep(wait);
    return prev(method, payload, signal);
  };

  return { transformer, reserve };
}
