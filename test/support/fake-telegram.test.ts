import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { autoRetry } from '@grammyjs/auto-retry';
import { run } from '@grammyjs/runner';
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  detectEntities,
  parseTelegramHtml,
  startFakeTelegram,
  type ApiCall,
  type ApiResponse,
  type FakeTelegram,
} from './fake-telegram.ts';

const BOT = 'larder_test_bot';
const isSent = (method: string) => (c: ApiCall) => c.method === method && c.response?.ok === true;

let fake: FakeTelegram;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  fake = await startFakeTelegram();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await fake.close();
});

/** A grammY bot pointed at the fake; its errors are collected instead of stopping it. */
function newBot(options: { webhookReply?: boolean } = {}): { bot: Bot; errors: unknown[] } {
  const bot = new Bot(fake.token, {
    client: { apiRoot: fake.apiRoot, ...(options.webhookReply === true ? { canUseWebhookReply: () => true } : {}) },
  });
  const errors: unknown[] = [];
  bot.catch((err) => {
    errors.push(err.error);
  });
  return { bot, errors };
}

/** Long polling with bot.start(), stopped after the test. */
function startPolling(bot: Bot): void {
  const polling = bot.start();
  cleanups.push(async () => {
    await bot.stop();
    await polling;
  });
}

/** A raw Bot API call over HTTP, bypassing grammY. */
async function raw(method: string, params: Record<string, unknown> = {}, token = fake.token): Promise<{ status: number; body: ApiResponse }> {
  const res = await fetch(`${fake.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as ApiResponse };
}

function updatesOf(response: ApiResponse): Update[] {
  if (!response.ok) throw new Error(`getUpdates failed: ${response.description}`);
  return response.result as Update[];
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe('fake Telegram: the Bot API over HTTP', () => {
  it('answers getMe with every field, 401 for another token and 404 for an unknown method', async () => {
    const me = await raw('getMe');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      ok: true,
      result: {
        id: fake.bot.id,
        is_bot: true,
        first_name: 'Larder',
        username: BOT,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      },
    });
    expect(fake.bot.id).toBeGreaterThan(2 ** 31);

    const wrongToken = await raw('getMe', {}, '123:nope');
    expect(wrongToken).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });

    const unknown = await raw('sendTelepathy', { chat_id: 1 });
    expect(unknown).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found: method not found' } });
    expect(fake.calls.map((c) => c.method)).toEqual(['getMe', 'sendTelepathy']);
  });

  it('getUpdates honours limit and offset and keeps unconfirmed updates', async () => {
    const flat = fake.group('Flat 3');
    const ada = fake.user('Ada');
    const [u1, u2, u3] = ['one', 'two', 'three'].map((t) => fake.sendText(flat, ada, t));
    if (u1 === undefined || u2 === undefined || u3 === undefined) throw new Error('no updates');
    expect(u2.update_id).toBe(u1.update_id + 1);

    expect(updatesOf((await raw('getUpdates', { limit: 2 })).body).map((u) => u.message?.text)).toEqual(['one', 'two']);
    // Nothing confirmed yet: the same updates come again.
    expect(updatesOf((await raw('getUpdates')).body)).toHaveLength(3);
    expect(updatesOf((await raw('getUpdates', { offset: u2.update_id })).body).map((u) => u.update_id)).toEqual([u2.update_id, u3.update_id]);
    expect(updatesOf((await raw('getUpdates', { offset: u3.update_id + 1 })).body)).toEqual([]);
    await fake.waitForIdle(10, 1000);
  });

  it('getUpdates long-polls: answers when an update arrives, else after the timeout', async () => {
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    const before = fake.calls.length;
    const started = performance.now();
    const poll = raw('getUpdates', { timeout: 20 });
    await fake.waitFor((c) => c.method === 'getUpdates', 1000, before);
    const update = fake.sendText(dm, ada, 'add milk');
    const answered = updatesOf((await poll).body);
    expect(answered.map((u) => u.update_id)).toEqual([update.update_id]);
    expect(performance.now() - started).toBeLessThan(2000);

    const quiet = performance.now();
    expect(updatesOf((await raw('getUpdates', { offset: update.update_id + 1, timeout: 1 })).body)).toEqual([]);
    expect(performance.now() - quiet).toBeGreaterThanOrEqual(990);
  });

  it('getUpdates applies allowed_updates, and a newer poll ends the older with 409', async () => {
    const flat = fake.group('Flat 3');
    const ada = fake.user('Ada');
    fake.addedToGroup(flat, ada);
    const onlyMessages = updatesOf((await raw('getUpdates', { allowed_updates: ['message'] })).body);
    expect(onlyMessages.map((u) => Object.keys(u).filter((k) => k !== 'update_id'))).toEqual([['message']]);
    expect(onlyMessages[0]?.message?.new_chat_members?.[0]?.id).toBe(fake.bot.id);

    const confirmed = (onlyMessages[0]?.update_id ?? 0) + 1;
    // The my_chat_member update was dropped, not kept for later.
    expect(updatesOf((await raw('getUpdates', { offset: confirmed, allowed_updates: [] })).body)).toEqual([]);

    const older = raw('getUpdates', { offset: confirmed, timeout: 20 });
    await fake.waitFor((c) => c.method === 'getUpdates' && c.response === undefined, 1000, 0);
    const newer = await raw('getUpdates', { timeout: 0 });
    expect(newer.status).toBe(200);
    expect((await older).body).toMatchObject({ ok: false, error_code: 409, description: expect.stringContaining('terminated by other getUpdates request') as string });
  });

  it('close() is prompt while a long poll is pending', async () => {
    const poll = fetch(`${fake.apiRoot}/bot${fake.token}/getUpdates?timeout=30`).then(
      async (res) => (await res.json()) as ApiResponse,
      (error: unknown) => error,
    );
    await fake.waitFor((c) => c.method === 'getUpdates', 1000, 0);
    const started = performance.now();
    await fake.close();
    expect(performance.now() - started).toBeLessThan(500);
    const outcome = await poll;
    // Either the poll got its empty answer or the connection was cut: both end at once.
    if (!(outcome instanceof Error)) expect(outcome).toEqual({ ok: true, result: [] });
  });

  it('close() is prompt while a grammY bot is long polling', async () => {
    const { bot } = newBot();
    const polling = bot.start();
    await fake.waitFor((c) => c.method === 'getUpdates' && c.response === undefined, 2000, 0);
    const started = performance.now();
    await fake.close();
    expect(performance.now() - started).toBeLessThan(500);
    // The bot cannot confirm its offset any more; stopping it must still end the loop.
    await bot.stop().catch(() => undefined);
    await polling;
  });
});

describe('fake Telegram: users and chats', () => {
  it('hands out 64-bit ids without collisions and unique usernames', () => {
    const ada = fake.user('Ada', 7_000_000_001);
    const bob = fake.user('Bob');
    const otherAda = fake.user('Ada');
    expect([ada.id, bob.id, otherAda.id]).toEqual([7_000_000_001, 7_000_000_002, 7_000_000_003]);
    expect([ada.username, otherAda.username]).toEqual(['ada', 'ada_2']);
    expect(fake.user('Ada', 7_000_000_001)).toBe(ada);
    expect(() => fake.user('Eve', 7_000_000_001)).toThrow(/already Ada/);

    const flat = fake.group('Flat 3', -1001234567890);
    const house = fake.group('House');
    expect(house.id).toBe(-1001234567891);
    expect(fake.group('Old group', -4_123_456_789).type).toBe('group');
    expect(fake.group('Flat 3', -1001234567890)).toBe(flat);
    expect(fake.privateChat(ada)).toEqual({ id: 7_000_000_001, type: 'private', first_name: 'Ada', username: 'ada' });
    expect(() => fake.sendText(fake.privateChat(ada), bob, 'hi')).toThrow(/cannot write in Ada's private chat/);
  });
});

describe('fake Telegram: sendMessage checks', () => {
  it('reads urlencoded bodies like JSON ones', async () => {
    const flat = fake.group('Flat 3');
    const body = new URLSearchParams({
      chat_id: String(flat.id),
      text: 'Added <b>milk</b>',
      parse_mode: 'HTML',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'Undo', callback_data: 'undo:1' }]] }),
    });
    const res = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(fake.calls[0]?.params).toMatchObject({ chat_id: -1001234567890, reply_markup: { inline_keyboard: [[{ text: 'Undo' }]] } });
    expect(fake.sent[0]).toMatchObject({ plain: 'Added milk', reply_markup: { inline_keyboard: [[{ callback_data: 'undo:1' }]] } });
  });

  it('rejects 4097 characters with 400, counting HTML after parsing', async () => {
    const { bot } = newBot();
    const flat = fake.group('Flat 3');
    await expect(bot.api.sendMessage(flat.id, 'x'.repeat(4097))).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: message is too long',
    });
    await expect(bot.api.sendMessage(flat.id, 'x'.repeat(4096))).resolves.toMatchObject({ text: 'x'.repeat(4096) });
    // Tags do not count and &lt; is one character.
    const html = `<b>${'x'.repeat(4091)}</b>&lt;&gt;&amp;&quot;y`;
    const sent = await bot.api.sendMessage(flat.id, html, { parse_mode: 'HTML' });
    expect(sent.text).toHaveLength(4096);
    expect(sent.entities).toEqual([{ type: 'bold', offset: 0, length: 4091 }]);
    await expect(bot.api.sendMessage(flat.id, `<b>${'x'.repeat(4096)}</b>!`, { parse_mode: 'HTML' })).rejects.toMatchObject({ error_code: 400 });
    await expect(bot.api.sendMessage(flat.id, '')).rejects.toMatchObject({ description: 'Bad Request: message text is empty' });
    await expect(bot.api.sendMessage(flat.id, '<b> </b>', { parse_mode: 'HTML' })).rejects.toMatchObject({ description: 'Bad Request: message text is empty' });
  });

  it('rejects malformed HTML like Telegram', async () => {
    const { bot } = newBot();
    const flat = fake.group('Flat 3');
    const attempt = (text: string) => bot.api.sendMessage(flat.id, text, { parse_mode: 'HTML' });
    await expect(attempt('<b>milk')).rejects.toMatchObject({
      error_code: 400,
      description: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    });
    await expect(attempt('2 < 3 eggs')).rejects.toMatchObject({
      description: `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`,
    });
    await expect(attempt('<p>milk</p>')).rejects.toMatchObject({ description: expect.stringContaining('Unsupported start tag "p"') as string });
    await expect(attempt('<b><i>milk</b></i>')).rejects.toMatchObject({ description: expect.stringContaining('Unmatched end tag') as string });
    expect(fake.sent).toEqual([]);
  });

  it('checks inline keyboards, chats and reply targets', async () => {
    const { bot } = newBot();
    const flat = fake.group('Flat 3');
    await expect(bot.api.sendMessage(flat.id, 'Added', { reply_markup: new InlineKeyboard().text('Undo', 'u'.repeat(65)) })).rejects.toMatchObject({
      description: 'Bad Request: BUTTON_DATA_INVALID',
    });
    // 64 bytes are fine, however many characters.
    await expect(bot.api.sendMessage(flat.id, 'Added', { reply_markup: new InlineKeyboard().text('Undo', 'é'.repeat(32)) })).resolves.toBeDefined();
    const noAction = await raw('sendMessage', { chat_id: flat.id, text: 'x', reply_markup: { inline_keyboard: [[{ text: 'Undo' }]] } });
    expect(noAction.body).toMatchObject({ error_code: 400, description: expect.stringContaining("can't parse inline keyboard button") as string });
    await expect(bot.api.sendMessage(-1009999999999, 'hi')).rejects.toMatchObject({ error_code: 400, description: 'Bad Request: chat not found' });
    const stranger = fake.user('Bob');
    await expect(bot.api.sendMessage(stranger.id, 'hi')).rejects.toMatchObject({ error_code: 403 });
    await expect(bot.api.sendMessage(flat.id, 'hi', { reply_parameters: { message_id: 999 } })).rejects.toMatchObject({
      description: 'Bad Request: message to be replied not found',
    });
  });
});

describe('fake Telegram: with a grammY bot', () => {
  it('delivers group messages with entities, records the HTML reply and keeps 64-bit ids', async () => {
    const { bot, errors } = newBot();
    const seen: Update[] = [];
    bot.use(async (ctx, next) => {
      seen.push(ctx.update);
      await next();
    });
    bot.command('list', (ctx) =>
      ctx.reply('<b>Shopping</b>: milk &amp; eggs', { parse_mode: 'HTML', reply_parameters: { message_id: ctx.msg.message_id } }),
    );
    bot.on('message:text', (ctx) => ctx.reply(`echo from ${ctx.from.id} in ${ctx.chat.id}: ${ctx.msg.text}`));
    startPolling(bot);

    const flat = fake.group('Flat 3');
    const ada = fake.user('Ada', 7_000_000_001);
    expect(flat).toEqual({ id: -1001234567890, type: 'supergroup', title: 'Flat 3' });

    fake.sendText(flat, ada, `/list@${BOT}`);
    const first = await fake.waitFor(isSent('sendMessage'));
    expect(first.params).toMatchObject({ chat_id: -1001234567890, parse_mode: 'HTML' });
    const command = seen[0]?.message;
    expect(command).toMatchObject({
      message_id: 1,
      from: { id: 7_000_000_001, is_bot: false, first_name: 'Ada' },
      chat: { id: -1001234567890, type: 'supergroup', title: 'Flat 3' },
      entities: [{ type: 'bot_command', offset: 0, length: `/list@${BOT}`.length }],
    });
    expect(Number.isInteger(command?.date) && (command?.date ?? 0) <= Date.now() / 1000 + 1 && (command?.date ?? 0) > 1.6e9).toBe(true);

    const reply = fake.sent[0];
    expect(reply).toMatchObject({
      method: 'sendMessage',
      chat_id: -1001234567890,
      message_id: 2,
      text: '<b>Shopping</b>: milk &amp; eggs',
      parse_mode: 'HTML',
      plain: 'Shopping: milk & eggs',
      reply_to: 1,
    });
    expect(reply?.message).toMatchObject({
      from: { id: fake.bot.id, is_bot: true, username: BOT },
      chat: { type: 'supergroup', title: 'Flat 3' },
      entities: [{ type: 'bold', offset: 0, length: 8 }],
      reply_to_message: { message_id: 1 },
    });
    expect(reply?.message.date).toBeLessThan(1e10);

    fake.sendText(flat, ada, `@${BOT} add milk`);
    await fake.waitFor(isSent('sendMessage'));
    expect(seen[1]?.message?.entities).toEqual([{ type: 'mention', offset: 0, length: BOT.length + 1 }]);

    fake.sendText(flat, ada, 'yes please', { replyTo: 2 });
    await fake.waitFor(isSent('sendMessage'));
    expect(seen[2]?.message?.reply_to_message).toMatchObject({ message_id: 2, from: { id: fake.bot.id }, text: 'Shopping: milk & eggs' });
    expect(fake.messagesIn(flat).map((m) => m.plain)).toEqual([
      'Shopping: milk & eggs',
      `echo from 7000000001 in -1001234567890: @${BOT} add milk`,
      'echo from 7000000001 in -1001234567890: yes please',
    ]);
    expect(fake.messagesIn(flat).map((m) => m.message_id)).toEqual([2, 4, 6]);
    expect(fake.transcript(flat)).toBe(
      [
        `Ada: /list@${BOT}`,
        'bot: Shopping: milk & eggs',
        `Ada: @${BOT} add milk`,
        `bot: echo from 7000000001 in -1001234567890: @${BOT} add milk`,
        'Ada (replying to bot: "Shopping: milk & eggs"): yes please',
        'bot: echo from 7000000001 in -1001234567890: yes please',
      ].join('\n'),
    );
    await fake.waitForIdle();
    expect(errors).toEqual([]);
  });

  it('works with @grammyjs/runner', async () => {
    const { bot, errors } = newBot();
    bot.on('message:text', (ctx) => ctx.reply(`You said ${ctx.msg.text}`));
    const runner = run(bot);
    cleanups.push(() => runner.stop());

    const ada = fake.user('Ada', 7_000_000_001);
    const dm = fake.privateChat(ada);
    fake.sendText(dm, ada, 'hello');
    fake.sendText(dm, ada, 'again');
    await fake.waitFor((c) => isSent('sendMessage')(c) && c.params.text === 'You said again');
    await fake.waitForIdle();
    expect(fake.messagesIn(dm).map((m) => [m.chat_id, m.plain])).toEqual([
      [7_000_000_001, 'You said hello'],
      [7_000_000_001, 'You said again'],
    ]);
    expect(dm.type).toBe('private');
    expect(fake.sent[0]?.message.chat).toEqual({ id: 7_000_000_001, type: 'private', first_name: 'Ada', username: 'ada' });
    expect(errors).toEqual([]);
  });

  it('delivers a button press, records the answer and edits in place', async () => {
    const { bot, errors } = newBot();
    bot.command('add', (ctx) => ctx.reply('Added milk', { reply_markup: new InlineKeyboard().text('Undo', 'undo:1').text('Keep', 'keep:1') }));
    bot.callbackQuery(/^undo:(\d+)$/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: 'Undone' });
      await ctx.editMessageText(`Removed milk (change ${ctx.match[1] ?? '?'})`);
    });
    startPolling(bot);

    const ada = fake.user('Ada');
    const flat = fake.group('Flat 3');
    fake.sendText(flat, ada, '/add milk');
    await fake.waitFor(isSent('sendMessage'));
    const added = fake.sent[0];
    if (added === undefined) throw new Error('nothing sent');
    expect(added.message.reply_markup?.inline_keyboard[0]?.map((b) => b.text)).toEqual(['Undo', 'Keep']);
    expect(() => fake.pressButton(flat, ada, added.message_id, 'redo:1')).toThrow(/no button with callback_data "redo:1".*Undo=undo:1/);

    const press = fake.pressButton(flat, ada, added.message_id, 'undo:1');
    expect(press.callback_query).toMatchObject({ data: 'undo:1', from: { id: ada.id }, message: { message_id: added.message_id } });
    await fake.waitFor(isSent('editMessageText'));

    expect(fake.callbackAnswers).toEqual([{ callback_query_id: press.callback_query?.id, text: 'Undone' }]);
    expect(fake.sent).toHaveLength(1);
    expect(added.text).toBe('Removed milk (change 1)');
    expect(added.plain).toBe('Removed milk (change 1)');
    // Telegram drops the keyboard when an edit does not repeat it.
    expect(added.reply_markup).toBeUndefined();
    expect(added.message.reply_markup).toBeUndefined();
    expect(added.message.edit_date).toBeTypeOf('number');
    expect(added.edits).toMatchObject([{ method: 'editMessageText', text: 'Removed milk (change 1)' }]);
    expect(fake.transcript(flat)).toBe(
      [
        'Ada: /add milk',
        'bot: Added milk [Undo] [Keep]',
        'Ada pressed [Undo]',
        'bot (answer to Ada): Undone',
        'bot (edited): Removed milk (change 1)',
      ].join('\n'),
    );

    await expect(bot.api.editMessageText(flat.id, added.message_id, 'Removed milk (change 1)')).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining('message is not modified') as string,
    });
    const keyboard = new InlineKeyboard().text('Redo', 'redo:1');
    const edited = await bot.api.editMessageReplyMarkup(flat.id, added.message_id, { reply_markup: keyboard });
    expect(edited).toMatchObject({ message_id: added.message_id, text: 'Removed milk (change 1)', reply_markup: { inline_keyboard: [[{ text: 'Redo', callback_data: 'redo:1' }]] } });
    await expect(bot.api.editMessageReplyMarkup(flat.id, added.message_id, { reply_markup: keyboard })).rejects.toMatchObject({
      description: expect.stringContaining('message is not modified') as string,
    });
    expect(added.edits.map((e) => e.method)).toEqual(['editMessageText', 'editMessageReplyMarkup']);
    await expect(bot.api.answerCallbackQuery(press.callback_query?.id ?? '')).rejects.toMatchObject({ error_code: 400 });
    await expect(bot.api.editMessageText(flat.id, 1, 'not mine')).rejects.toMatchObject({ description: "Bad Request: message can't be edited" });

    await bot.api.deleteMessage(flat.id, added.message_id);
    expect(added.deleted).toBe(true);
    await expect(bot.api.deleteMessage(flat.id, added.message_id)).rejects.toMatchObject({ description: 'Bad Request: message to delete not found' });
    expect(() => fake.pressButton(flat, ada, added.message_id, 'redo:1')).toThrow(/deleted/);
    expect(errors).toEqual([]);
  });

  it('makes auto-retry wait out a 429 and succeed', async () => {
    const { bot, errors } = newBot();
    bot.api.config.use(autoRetry());
    bot.on('message:text', (ctx) => ctx.reply('Added milk'));
    startPolling(bot);

    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.failNext('sendMessage', { error_code: 429, retry_after: 1 });
    fake.sendText(dm, ada, 'add milk');
    const ok = await fake.waitFor(isSent('sendMessage'));
    const attempts = fake.calls.filter((c) => c.method === 'sendMessage');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.response).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    expect(ok.time - (attempts[0]?.time ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(fake.sent.map((m) => m.plain)).toEqual(['Added milk']);
    expect(errors).toEqual([]);
  });

  it('answers injected 500 and 403 failures as Telegram errors', async () => {
    const { bot } = newBot();
    const dm = fake.privateChat(fake.user('Ada'));
    fake.failNext('sendMessage', { error_code: 500 });
    fake.failNext('SENDMESSAGE', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    const first = await bot.api.sendMessage(dm.id, 'hi').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(GrammyError);
    expect(first).toMatchObject({ error_code: 500, description: 'Internal Server Error' });
    await expect(bot.api.sendMessage(dm.id, 'hi')).rejects.toMatchObject({ error_code: 403 });
    await expect(bot.api.sendMessage(dm.id, 'hi')).resolves.toMatchObject({ text: 'hi' });
    expect(fake.sent).toHaveLength(1);
  });

  it('lets the bot download a voice note through getFile', async () => {
    const { bot, errors } = newBot();
    const downloads: Buffer[] = [];
    bot.on('message:voice', async (ctx) => {
      const file = await ctx.getFile();
      const res = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path ?? ''}`);
      downloads.push(Buffer.from(await res.arrayBuffer()));
      await ctx.reply(`Heard ${ctx.msg.voice.duration}s`);
    });
    startPolling(bot);

    const ada = fake.user('Ada');
    const flat = fake.group('Flat 3');
    const audio = Buffer.from([0x4f, 0x67, 0x67, 0x53, 0, 2, 0, 0, 0xff, 0x10]);
    const update = fake.sendVoice(flat, ada, audio, { duration: 3 });
    expect(update.message?.voice).toMatchObject({ duration: 3, mime_type: 'audio/ogg', file_size: audio.length });
    await fake.waitFor(isSent('sendMessage'));
    expect(downloads).toEqual([audio]);
    const getFile = fake.calls.find((c) => c.method === 'getFile');
    expect(getFile?.response).toMatchObject({ ok: true, result: { file_id: update.message?.voice?.file_id, file_path: expect.stringMatching(/^voice\//) as string } });
    expect(fake.transcript(flat)).toBe('Ada: [voice 3s]\nbot: Heard 3s');

    const path = (getFile?.response?.ok === true ? (getFile.response.result as { file_path: string }).file_path : '');
    expect((await fetch(`${fake.apiRoot}/file/bot123:nope/${path}`)).status).toBe(401);
    expect((await fetch(`${fake.apiRoot}/file/bot${fake.token}/voice/missing.oga`)).status).toBe(404);
    await expect(bot.api.getFile('no-such-file')).rejects.toMatchObject({ description: 'Bad Request: invalid file_id' });
    expect(errors).toEqual([]);
  });

  it('receives a user photo and a multipart photo upload from the bot', async () => {
    const { bot } = newBot();
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    const image = Buffer.from('\x89PNG fake receipt', 'latin1');
    const update = fake.sendPhoto(dm, ada, image, 'receipt from @shop');
    expect(update.message?.photo).toHaveLength(2);
    expect(update.message?.caption_entities).toEqual([{ type: 'mention', offset: 13, length: 5 }]);

    const sent = await bot.api.sendPhoto(dm.id, new InputFile(image, 'receipt.png'), { caption: '<i>Receipt</i> read', parse_mode: 'HTML' });
    expect(sent).toMatchObject({ caption: 'Receipt read', caption_entities: [{ type: 'italic', offset: 0, length: 7 }] });
    const call = fake.calls.find((c) => c.method === 'sendPhoto');
    expect(call?.params.photo).toMatchObject({ filename: 'receipt.png', data: image });
    expect(call?.params.chat_id).toBe(ada.id);
    const largest = sent.photo?.at(-1);
    const file = await bot.api.getFile(largest?.file_id ?? '');
    const res = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path ?? ''}`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(image);
    expect(fake.sent[0]).toMatchObject({ method: 'sendPhoto', caption: '<i>Receipt</i> read', plain: '[photo] Receipt read' });
    expect(fake.transcript(dm)).toBe('Ada: [photo] receipt from @shop\nbot: [photo] Receipt read');
  });

  it('tells the bot it was added to a group', async () => {
    const { bot } = newBot();
    const joins: string[] = [];
    bot.on('my_chat_member', (ctx) => {
      joins.push(`${ctx.myChatMember.new_chat_member.status} by ${ctx.from.first_name}`);
    });
    bot.on('message:new_chat_members', (ctx) => ctx.reply(`Hello ${ctx.chat.type === 'private' ? '' : ctx.chat.title}`));
    startPolling(bot);
    const flat = fake.group('Flat 3');
    const update = fake.addedToGroup(flat, fake.user('Ada'));
    expect(update.my_chat_member?.new_chat_member).toMatchObject({ status: 'member', user: { id: fake.bot.id, is_bot: true } });
    await fake.waitFor(isSent('sendMessage'));
    expect(joins).toEqual(['member by Ada']);
    expect(fake.transcript(flat)).toBe('Ada added the bot\nbot: Hello Flat 3');
  });

  it('answers the smaller methods the bot uses', async () => {
    const { bot } = newBot();
    const ada = fake.user('Ada');
    const bob = fake.user('Bob');
    const flat = fake.group('Flat 3');
    const basic = fake.group('Old group', -4_123_456_789);
    fake.sendText(flat, ada, 'add milk');

    await bot.api.setMyCommands([{ command: 'list', description: 'Show the shopping list' }]);
    await bot.api.setMyCommands([{ command: 'add', description: 'Add to the list' }], { scope: { type: 'all_group_chats' } });
    expect(await bot.api.getMyCommands()).toEqual([{ command: 'list', description: 'Show the shopping list' }]);
    expect(await bot.api.getMyCommands({ scope: { type: 'all_group_chats' } })).toEqual([{ command: 'add', description: 'Add to the list' }]);
    expect(fake.commands({ type: 'all_group_chats' })).toEqual([{ command: 'add', description: 'Add to the list' }]);
    await expect(bot.api.setMyCommands([{ command: 'List!', description: 'x' }])).rejects.toMatchObject({ description: 'Bad Request: BOT_COMMAND_INVALID' });

    await expect(bot.api.sendChatAction(flat.id, 'typing')).resolves.toBe(true);
    expect((await raw('sendChatAction', { chat_id: flat.id, action: 'dancing' })).status).toBe(400);

    await expect(bot.api.setMessageReaction(flat.id, 1, [{ type: 'emoji', emoji: '👍' }])).resolves.toBe(true);
    const invalid = await raw('setMessageReaction', { chat_id: flat.id, message_id: 1, reaction: [{ type: 'emoji', emoji: '✅' }] });
    expect(invalid.body).toMatchObject({ error_code: 400, description: 'Bad Request: REACTION_INVALID' });
    expect(fake.transcript(flat)).toBe('Ada: add milk\nbot reacted 👍 to Ada\'s "add milk"');

    expect(await bot.api.getChat(flat.id)).toMatchObject({ id: -1001234567890, type: 'supergroup', title: 'Flat 3' });
    expect(await bot.api.getChat(basic.id)).toMatchObject({ id: -4_123_456_789, type: 'group' });
    expect(await bot.api.getChatMember(flat.id, ada.id)).toMatchObject({ status: 'member', user: { id: ada.id } });
    expect(await bot.api.getChatMember(flat.id, bob.id)).toMatchObject({ status: 'left' });
    expect(await bot.api.getChatMember(flat.id, fake.bot.id)).toMatchObject({ status: 'member', user: { is_bot: true } });
    await expect(bot.api.getChatMember(flat.id, 42)).rejects.toMatchObject({ error_code: 400 });
    expect(await bot.api.getWebhookInfo()).toMatchObject({ url: '', pending_update_count: 1 });
  });

  it('delivers to a webhook with the secret header and runs a webhook reply', async () => {
    const { bot, errors } = newBot({ webhookReply: true });
    bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.msg.text}`));
    const secrets: Array<string | string[] | undefined> = [];
    const handle = webhookCallback(bot, 'http', { secretToken: 'larder-secret_1' });
    const server = createServer((req, res) => {
      secrets.push(req.headers['x-telegram-bot-api-secret-token']);
      void handle(req, res);
    });
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    const url = `http://127.0.0.1:${port}/telegram`;

    await bot.api.setWebhook(url, { secret_token: 'larder-secret_1' });
    expect(fake.webhook).toEqual({ url, secret_token: 'larder-secret_1' });
    await expect(bot.api.getUpdates()).rejects.toMatchObject({ error_code: 409 });

    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.sendText(dm, ada, 'hello');
    expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(1);
    await fake.deliverPending();
    expect(secrets).toEqual(['larder-secret_1']);
    const reply = fake.calls.find((c) => c.method === 'sendMessage');
    // grammY answered inside the webhook response; the fake ran it like Telegram does.
    expect(reply).toMatchObject({ viaWebhookReply: true, params: { chat_id: ada.id, text: 'echo: hello' } });
    expect(fake.messagesIn(dm).map((m) => m.plain)).toEqual(['echo: hello']);
    await fake.waitForIdle(10);

    // A wrong secret is refused by grammY; the update stays queued and the failure is reported.
    await bot.api.setWebhook(url, { secret_token: 'someone-else' });
    fake.sendText(dm, ada, 'again');
    await expect(fake.deliverPending()).rejects.toThrow(/answered 401/);
    expect(await bot.api.getWebhookInfo()).toMatchObject({ pending_update_count: 1, last_error_message: expect.stringContaining('401') as string });

    await bot.api.deleteWebhook();
    expect(fake.webhook).toBeNull();
    expect(updatesOf((await raw('getUpdates')).body).map((u) => u.message?.text)).toEqual(['again']);
    expect(errors).toEqual([]);
  });

  it('filters group messages in privacy mode when asked to', async () => {
    const strict = await startFakeTelegram({ privacyMode: true, botUsername: 'larder_bot' });
    cleanups.push(() => strict.close());
    const ada = strict.user('Ada');
    const flat = strict.group('Flat 3');
    const dm = strict.privateChat(ada);
    strict.sendText(flat, ada, 'chatting among ourselves');
    strict.sendText(flat, ada, '/list');
    strict.sendText(flat, ada, '@larder_bot add milk');
    strict.sendText(dm, ada, 'anything in private');
    const botMessage = await fetch(`${strict.apiRoot}/bot${strict.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: flat.id, text: 'Added milk' }),
    }).then(async (res) => (await res.json()) as { result: { message_id: number } });
    strict.sendText(flat, ada, 'thanks', { replyTo: botMessage.result.message_id });
    const res = await fetch(`${strict.apiRoot}/bot${strict.token}/getUpdates`);
    const texts = updatesOf((await res.json()) as ApiResponse).map((u) => u.message?.text);
    expect(texts).toEqual(['/list', '@larder_bot add milk', 'anything in private', 'thanks']);
    // The transcript still shows what was said in the group.
    expect(strict.transcript(flat).split('\n')[0]).toBe('Ada: chatting among ourselves');
  });

  it('explains a waitFor timeout and an idle wait that cannot finish', async () => {
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    await raw('sendMessage', { chat_id: dm.id, text: 'Hi' });
    const late = fake.waitFor((c) => c.method === 'sendPhoto', 50, 0);
    await expect(late).rejects.toThrow(/no matching call within 50 ms[\s\S]*#0 sendMessage .*→ ok/);
    fake.sendText(dm, ada, 'anyone?');
    await expect(fake.waitForIdle(10, 100)).rejects.toThrow(/1 update\(s\) not confirmed — is the bot polling\?/);
  });
});

describe('fake Telegram: formatting helpers', () => {
  it('parses Telegram HTML into text and entities', () => {
    expect(parseTelegramHtml('<b>Milk</b> &amp; <a href="https://larder.example/l/1">eggs</a> &#x1F95A; &copy;')).toEqual({
      text: 'Milk & eggs 🥚 &copy;',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'text_link', offset: 7, length: 4, url: 'https://larder.example/l/1' },
      ],
    });
    expect(parseTelegramHtml('<pre><code class="language-ts">x</code></pre><blockquote expandable>q</blockquote>').entities).toEqual([
      { type: 'pre', offset: 0, length: 1, language: 'ts' },
      { type: 'expandable_blockquote', offset: 1, length: 1 },
    ]);
    expect(() => parseTelegramHtml('café <x>')).toThrow('Unsupported start tag "x" at byte offset 6');
    expect(() => parseTelegramHtml('</b>')).toThrow('Unexpected end tag at byte offset 0');
    expect(() => parseTelegramHtml('<span>x</span>')).toThrow('Tag "span" must have class "tg-spoiler"');
  });

  it('detects commands, mentions and links in what users type', () => {
    expect(detectEntities(`/add@${BOT} milk for @ada_l, see https://larder.example/x?a=1 /list`)).toEqual([
      { type: 'bot_command', offset: 0, length: 4 + 1 + BOT.length },
      { type: 'mention', offset: 30, length: 6 },
      { type: 'url', offset: 42, length: 28 },
      { type: 'bot_command', offset: 71, length: 5 },
    ]);
    expect(detectEntities('mail me@example.com, 1/2 cup')).toEqual([]);
  });
});
