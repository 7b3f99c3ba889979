import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { newRequest } from '../../src/core/context.ts';
import { botCommands } from '../../src/bot/commands.ts';
import { TELEGRAM_LIMITS } from '../../src/bot/limits.ts';
import { MESSAGE_LIMIT } from '../../src/bot/split.ts';
import { testDatabaseKind } from '../support/core.ts';
import { buttonData, buttonsOf, callsSince, nextEdit, nextMessage, startBotHarness, type BotHarness } from './harness.ts';

/** POSTs a body to a URL with headers; resolves with the status. */
function post(url: string, body: unknown, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe(`delivery (${testDatabaseKind})`, () => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('publishes its commands at start, and still starts when setMyCommands fails', async () => {
    h = await startBotHarness();
    expect(h.fake.commands()).toEqual(botCommands());
    expect(botCommands().map((entry) => entry.command)).toEqual(
      expect.arrayContaining(['start', 'help', 'list', 'lists', 'add', 'remove', 'pantry', 'out', 'low', 'expiring', 'recipes', 'recipe', 'missing', 'cook', 'undo', 'settings', 'invite', 'join']),
    );
    await h.close();

    h = await startBotHarness({ start: false });
    h.fake.failNext('setMyCommands', { error_code: 400, description: 'Bad Request: BOT_COMMAND_INVALID' });
    await h.service.start();
    const ada = h.fake.user('Ada');
    h.fake.sendText(h.fake.privateChat(ada), ada, '/lists');
    expect((await nextMessage(h.fake, h.fake.privateChat(ada))).plain).toContain('Shopping');
  });

  it('waits out a flood wait (429) on sendMessage and sends the reply', async () => {
    h = await startBotHarness();
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.failNext('sendMessage', { error_code: 429, retry_after: 1 });
    const started = Date.now();
    fake.sendText(dm, ada, 'add rice');
    const reply = await nextMessage(fake, dm);
    expect(reply.plain).toContain('rice');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const sends = fake.calls.filter((call) => call.method === 'sendMessage');
    expect(sends.map((call) => (call.response?.ok ? 'ok' : call.response?.error_code))).toEqual([429, 'ok']);
  });

  it('retries a 5xx from Telegram', async () => {
    h = await startBotHarness();
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.failNext('sendMessage', { error_code: 502 });
    fake.sendText(dm, ada, '/lists');
    expect((await nextMessage(fake, dm, 15_000)).plain).toContain('Shopping');
  }, 30_000);

  it('handles the same update once when it is delivered twice', async () => {
    h = await startBotHarness();
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    const update = fake.sendText(dm, ada, 'add 1 l milk');
    await nextMessage(fake, dm);
    await fake.waitForIdle();
    const before = fake.calls.length;
    await h.service.bot.handleUpdate(update);
    await fake.waitForIdle();
    expect(callsSince(fake, before)).toEqual([]);
    const household = await h.t.core.households.findBySlug(`tg-user-${ada.id}`);
    const shown = await h.t.core.lists.get(newRequest(household?.id ?? 0, { door: 'cli', name: 'test' }));
    expect(shown.items.map((item) => item.quantity)).toEqual(['1 l']);
  });

  it('splits a long list under 4,096 characters at line boundaries, buttons on the last part, ticks in place', async () => {
    h = await startBotHarness();
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.sendText(dm, ada, '/lists');
    await nextMessage(fake, dm);
    const household = await h.t.core.households.findBySlug(`tg-user-${ada.id}`);
    const ctx = newRequest(household?.id ?? 0, { door: 'cli', name: 'test' });
    for (let batch = 0; batch < 2; batch++) {
      const items = Array.from({ length: 100 }, (_, index) => ({ name: `imported <specialty> item number ${batch * 100 + index} & co`, quantity: '2' }));
      await h.t.core.lists.add(newRequest(ctx.householdId, ctx.actor), { items });
    }
    await fake.waitForIdle();
    const before = fake.sent.length;
    fake.sendText(dm, ada, '/list');
    // The buttons come with the last part.
    await fake.waitFor((call) => call.method === 'sendMessage' && call.params.reply_markup !== undefined, 15_000);
    const parts = fake.sent.slice(before);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.plain.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
      expect(part.text?.length ?? 0).toBeLessThanOrEqual(MESSAGE_LIMIT);
    }
    // Nothing lost or cut: every item line arrives whole, in order.
    const lines = parts.flatMap((part) => part.plain.split('\n')).filter((line) => line.startsWith('• '));
    expect(lines).toHaveLength(200);
    expect(lines.every((line) => /^• imported <specialty> item number \d+ & co \(2\)$/.test(line))).toBe(true);
    expect(parts.slice(0, -1).every((part) => buttonsOf(part).length === 0)).toBe(true);
    const last = parts[parts.length - 1];
    if (!last) throw new Error('no parts');
    expect(buttonsOf(last).length).toBe(60);

    expect(buttonsOf(last)[0]?.[0]).toBe('✓ imported <spec…number 0 & co');
    fake.pressButton(dm, ada, last.message_id, buttonData(last, '✓ imported <spec…number 0 & co'));
    await nextEdit(fake, dm);
    expect(last.plain.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
    expect(last.plain).toContain('✓ imported <specialty> item number 0 & co');
    expect(buttonsOf(last).map(([text]) => text)).toContain('↩️ Undo ✓ imported <sp…mber 0 & co');
  });

  it('runs on a webhook with a secret token: a wrong secret gets 401 and nothing is handled', async () => {
    h = await startBotHarness({ webhook: { secret: 'larder-test-secret' } });
    const url = `${h.server?.url ?? ''}/telegram/webhook`;
    const { fake } = h;
    expect(fake.webhook).toEqual({ url, secret_token: 'larder-test-secret' });

    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    const update = fake.sendText(dm, ada, 'add bread');
    await fake.deliverPending();
    expect((await nextMessage(fake, dm)).plain).toContain('bread');

    const before = fake.calls.length;
    const forged = { ...update, update_id: update.update_id + 1000 };
    expect(await post(url, forged, { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' })).toBe(401);
    expect(await post(url, forged, {})).toBe(401);
    // A redelivery with the right secret is accepted and skipped.
    expect(await post(url, update, { 'X-Telegram-Bot-Api-Secret-Token': 'larder-test-secret' })).toBe(200);
    await fake.waitForIdle();
    expect(callsSince(fake, before)).toEqual([]);
  });

  it('spaces replies in a chat about a second apart (the first at once) and finishes them on stop', async () => {
    h = await startBotHarness({ limits: TELEGRAM_LIMITS });
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    const started = Date.now();
    fake.sendText(dm, ada, 'add milk');
    fake.sendText(dm, ada, 'add eggs');
    fake.sendText(dm, ada, 'add bread');
    await nextMessage(fake, dm);
    expect(Date.now() - started).toBeLessThan(900);
    await h.service.stop();
    const replies = fake.messagesIn(dm);
    expect(replies.map((reply) => reply.plain.split('\n')[1])).toEqual(['• milk — Dairy & Eggs', '• eggs — Dairy & Eggs', '• bread — Bakery']);
    const gaps = replies.slice(1).map((reply, index) => reply.time - (replies[index]?.time ?? 0));
    // Measured where the stand-in receives them, which jitters with the machine's load; without the
    // limiter the gaps would be a few milliseconds, with it about a second.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(800);
  });
});
