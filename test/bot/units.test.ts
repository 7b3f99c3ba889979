import { describe, expect, it } from 'vitest';
import type { Message } from 'grammy/types';
import { commandOf, isAddressed, stripMention } from '../../src/bot/addressing.ts';
import { CALLBACK_DATA_LIMIT, decodeAction, encodeAction, shorten, type ButtonAction } from '../../src/bot/buttons.ts';
import { COMMAND_NAMES, botCommands, helpHtml } from '../../src/bot/commands.ts';
import { recipeArgs } from '../../src/bot/features/recipes.ts';
import { parseSettings } from '../../src/bot/features/settings.ts';
import { createRateLimiter, limitedKind, TELEGRAM_LIMITS } from '../../src/bot/limits.ts';
import { splitHtml } from '../../src/bot/split.ts';
import { digestDueOn, localTime } from '../../src/core/services/schedule.ts';
import { parseTelegramHtml } from '../support/fake-telegram.ts';

const BOT = { id: 6_900_000_001, username: 'larder_bot' };

function message(text: string, extra: Partial<Message> = {}): Message {
  const entities: Message['entities'] = [];
  const command = /^\/[a-z_]+(@[a-z_]+)?/i.exec(text);
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const match of text.matchAll(/@[a-z_]+/gi)) {
    if (match.index !== 0 || !command) entities.push({ type: 'mention', offset: match.index, length: match[0].length });
  }
  return { message_id: 1, date: 0, chat: { id: -100, type: 'group', title: 'g' }, text, entities, ...extra };
}

describe('addressing in groups', () => {
  it('takes commands, @mentions and replies to the bot, and nothing else', () => {
    expect(isAddressed(message('/list'), BOT, COMMAND_NAMES)).toBe(true);
    expect(isAddressed(message('/list@larder_bot costco'), BOT, COMMAND_NAMES)).toBe(true);
    expect(isAddressed(message('/list@Larder_Bot'), BOT, COMMAND_NAMES)).toBe(true);
    expect(isAddressed(message('/list@other_bot'), BOT, COMMAND_NAMES)).toBe(false);
    expect(isAddressed(message('/weather'), BOT, COMMAND_NAMES)).toBe(false);
    expect(isAddressed(message('/weather@larder_bot'), BOT, COMMAND_NAMES)).toBe(true);
    expect(isAddressed(message('@larder_bot add milk'), BOT, COMMAND_NAMES)).toBe(true);
    expect(isAddressed(message('hey @LARDER_BOT, add milk'), BOT, COMMAND_NAMES)).toBe(true);
    expect(isAddressed(message('ask @other_bot'), BOT, COMMAND_NAMES)).toBe(false);
    expect(isAddressed(message('I love milk'), BOT, COMMAND_NAMES)).toBe(false);
    // "larder_bot" without the @ is just a word.
    expect(isAddressed(message('larder_bot add milk'), BOT, COMMAND_NAMES)).toBe(false);
    const reply = message('add 2 l milk', { reply_to_message: { message_id: 2, date: 0, chat: { id: -100, type: 'group', title: 'g' }, from: { id: BOT.id, is_bot: true, first_name: 'Larder' } } as Message['reply_to_message'] });
    expect(isAddressed(reply, BOT, COMMAND_NAMES)).toBe(true);
    const replyToAda = message('add 2 l milk', { reply_to_message: { message_id: 2, date: 0, chat: { id: -100, type: 'group', title: 'g' }, from: { id: 5, is_bot: false, first_name: 'Ada' } } as Message['reply_to_message'] });
    expect(isAddressed(replyToAda, BOT, COMMAND_NAMES)).toBe(false);
    expect(isAddressed(message('look', { text: undefined, caption: '@larder_bot receipt', caption_entities: [{ type: 'mention', offset: 0, length: 11 }] }), BOT, COMMAND_NAMES)).toBe(true);
  });

  it('strips the mention and the punctuation around it', () => {
    const strip = (text: string) => stripMention(text, message(text).entities, BOT);
    expect(strip('@larder_bot add 1 l milk, eggs')).toBe('add 1 l milk, eggs');
    expect(strip('@larder_bot, add milk')).toBe('add milk');
    expect(strip('add milk @larder_bot')).toBe('add milk');
    expect(strip('hey @larder_bot: what can I cook?')).toBe('hey what can I cook?');
    expect(commandOf(message('/list@larder_bot costco'))).toEqual({ name: 'list', target: 'larder_bot' });
  });
});

describe('callback data', () => {
  const uuid = '0b7f9a52-5d6e-4f0e-9a43-3f1d1c2b7e11';
  it('round-trips every button within 64 bytes', () => {
    const actions: ButtonAction[] = [
      { kind: 'tick', listId: 12, itemId: 9_007_199_254 },
      { kind: 'untick', listId: 2 ** 40, requestId: uuid },
      { kind: 'undo', requestId: uuid },
      { kind: 'confirm', previewId: uuid },
      { kind: 'cancel', previewId: uuid },
      { kind: 'restock', pantryIds: [1, 22, 333, 4444] },
      { kind: 'done', itemId: 77 },
    ];
    for (const action of actions) {
      const data = encodeAction(action);
      expect(data).not.toBeNull();
      expect(Buffer.byteLength(data ?? '')).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
      expect(decodeAction(data ?? '')).toEqual(action);
    }
    expect(encodeAction({ kind: 'restock', pantryIds: Array.from({ length: 30 }, (_, index) => 1_000_000 + index) })).toBeNull();
  });

  it('refuses malformed or forged data', () => {
    for (const data of ['', 't:', 't:1', 't:1:-2', 'u:not-a-uuid', 'c:', 'r:', 'r:1..2', 'zz:1', 'lu:1:abc', 'd:0']) {
      expect(decodeAction(data)).toBeNull();
    }
  });

  it('shortens long names in the middle', () => {
    expect(shorten('milk')).toBe('milk');
    expect(shorten('tomatoes, chopped, in a tin, organic', 20)).toBe('tomatoes,…, organic');
  });
});

describe('splitHtml', () => {
  it('keeps a short message whole', () => {
    expect(splitHtml('<b>Shopping</b>\n• milk')).toEqual(['<b>Shopping</b>\n• milk']);
  });

  it('cuts at line boundaries, under the limit, every part valid Telegram HTML', () => {
    const lines = Array.from({ length: 400 }, (_, index) => `• <b>item ${index}</b> &amp; <i>note</i>`);
    const parts = splitHtml(['🛒 <b>Shopping</b>', ...lines].join('\n'), 1000);
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(1000);
      expect(() => parseTelegramHtml(part)).not.toThrow();
    }
    expect(parts.join('\n').split('\n').filter((line) => line.startsWith('• '))).toEqual(lines);
  });

  it('closes and reopens a tag that spans a cut, and never cuts inside a tag or an entity', () => {
    const body = Array.from({ length: 300 }, (_, index) => `line ${index} &lt;x&gt;`).join('\n');
    const parts = splitHtml(`<blockquote>${body}</blockquote>\n<a href="https://example.com/a?b=c&amp;d=e">link</a>`, 500);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(500);
      expect(() => parseTelegramHtml(part)).not.toThrow();
    }
    expect(parts[1]?.startsWith('<blockquote>')).toBe(true);
    const plain = parts.map((part) => parseTelegramHtml(part).text).join('\n');
    expect(plain).toContain('line 299 <x>');
  });

  it('cuts a single overlong line at word boundaries, then inside a word only when it must', () => {
    const words = Array.from({ length: 2000 }, (_, index) => `w${index}`).join(' ');
    const parts = splitHtml(`<b>${words}</b>`, 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(() => parseTelegramHtml(part)).not.toThrow();
    const long = splitHtml('x'.repeat(10_000));
    expect(long.every((part) => part.length <= 4096)).toBe(true);
    expect(long.join('')).toBe('x'.repeat(10_000));
  });
});

describe('the outgoing limiter', () => {
  it('lets the first message go at once and spaces a chat to one a second', () => {
    let now = 1_000_000;
    const limiter = createRateLimiter(TELEGRAM_LIMITS, { now: () => now });
    expect(limiter.reserve('42', 'send')).toBe(now);
    expect(limiter.reserve('42', 'send')).toBe(now + 1000);
    expect(limiter.reserve('42', 'edit')).toBe(now + 2000);
    // Another chat is not held up by the first one.
    expect(limiter.reserve('43', 'send')).toBe(now);
    now += 5000;
    expect(limiter.reserve('42', 'send')).toBe(now);
  });

  it('holds a group to 20 messages a minute, edits not counted', () => {
    const now = 1_000_000;
    const limiter = createRateLimiter(TELEGRAM_LIMITS, { now: () => now });
    const times = Array.from({ length: 21 }, () => limiter.reserve('-100', 'send'));
    expect(times[19]).toBe(now + 19_000);
    expect(times[20]).toBe(now + 60_000);
    const other = createRateLimiter(TELEGRAM_LIMITS, { now: () => now });
    const edits = Array.from({ length: 25 }, () => other.reserve('-100', 'edit'));
    expect(edits[24]).toBe(now + 24_000);
  });

  it('holds everything to 30 a second across chats', () => {
    const now = 1_000_000;
    const limiter = createRateLimiter(TELEGRAM_LIMITS, { now: () => now });
    const times = Array.from({ length: 31 }, (_, index) => limiter.reserve(String(index + 1), 'send'));
    expect(times.slice(0, 30).every((time) => time === now)).toBe(true);
    expect(times[30]).toBe(now + 1000);
  });

  it('limits only what puts or changes messages in a chat', () => {
    expect(limitedKind('sendMessage')).toBe('send');
    expect(limitedKind('sendPhoto')).toBe('send');
    expect(limitedKind('editMessageText')).toBe('edit');
    expect(limitedKind('sendChatAction')).toBeNull();
    expect(limitedKind('answerCallbackQuery')).toBeNull();
    expect(limitedKind('getFile')).toBeNull();
  });
});

describe('commands and arguments', () => {
  it('publishes valid commands, each in /help with an example', () => {
    const help = helpHtml({ group: true, username: 'larder_bot' });
    for (const command of botCommands()) {
      expect(command.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(command.description.length).toBeGreaterThan(3);
      expect(help).toContain(`/${command.command}`);
    }
    expect(() => parseTelegramHtml(help)).not.toThrow();
  });

  it('reads recipe names and servings', () => {
    expect(recipeArgs('lasagna 6')).toEqual({ recipe: 'lasagna', servings: 6 });
    expect(recipeArgs('lasagna for 4 people')).toEqual({ recipe: 'lasagna', servings: 4 });
    expect(recipeArgs('pad thai')).toEqual({ recipe: 'pad thai', servings: null });
    expect(recipeArgs('')).toEqual({ recipe: '', servings: null });
  });

  it('reads /settings', () => {
    expect(parseSettings('')).toBeNull();
    expect(parseSettings('timezone Europe/Stockholm')).toEqual({ timeZone: 'Europe/Stockholm' });
    expect(parseSettings('digest 8:00')).toEqual({ digestTime: '08:00' });
    expect(parseSettings('digest off')).toEqual({ digestTime: null });
    expect(typeof parseSettings('colour blue')).toBe('string');
  });
});

describe('digest timing', () => {
  const household = { digestTime: '08:00', digestSentOn: null, timeZone: 'Europe/Stockholm' };
  it('is due from 08:00 local time for two hours, once a local day', () => {
    expect(localTime(new Date('2026-03-06T07:00:00Z'), 'Europe/Stockholm')).toBe('08:00');
    expect(digestDueOn(household, new Date('2026-03-06T06:59:59Z'))).toBeNull();
    expect(digestDueOn(household, new Date('2026-03-06T07:00:00Z'))).toBe('2026-03-06');
    expect(digestDueOn(household, new Date('2026-03-06T08:59:00Z'))).toBe('2026-03-06');
    expect(digestDueOn(household, new Date('2026-03-06T09:00:00Z'))).toBeNull();
    expect(digestDueOn({ ...household, digestSentOn: '2026-03-06' }, new Date('2026-03-06T07:30:00Z'))).toBeNull();
    expect(digestDueOn({ ...household, digestTime: null }, new Date('2026-03-06T07:30:00Z'))).toBeNull();
    // Summer time: 08:00 in Stockholm is 06:00 UTC.
    expect(digestDueOn(household, new Date('2026-07-01T06:00:00Z'))).toBe('2026-07-01');
    // Midnight: the local day decides, not UTC's.
    expect(digestDueOn({ ...household, digestTime: '00:30', digestSentOn: '2026-03-05' }, new Date('2026-03-05T23:40:00Z'))).toBe('2026-03-06');
  });
});
