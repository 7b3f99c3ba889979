import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newRequest } from '../../src/core/context.ts';
import { testDatabaseKind } from '../support/core.ts';
import { buttonData, buttonsOf, callsSince, nextEdit, nextMessage, startBotHarness, type BotHarness } from './harness.ts';

describe(`the bot in a family group (${testDatabaseKind})`, () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('adds from two members, stays out of chatter, lists, ticks off in place, and undoes a wrong tick', async () => {
    const { fake } = h;
    const bot = `@${fake.bot.username}`;
    const family = fake.group('Okafor-Lindqvist');
    const ada = fake.user('Ada');
    const jon = fake.user('Jon');
    const kid = fake.user('Kid');

    fake.addedToGroup(family, ada);
    const greeting = await nextMessage(fake, family);
    expect(greeting.plain.split('\n')).toHaveLength(2);
    expect(greeting.plain).toContain(bot);

    fake.sendText(family, ada, `${bot} add 1 l milk, eggs and a loaf of bread`);
    const added = await nextMessage(fake, family);
    expect(added.plain).toContain('milk (1 l) — Dairy & Eggs');
    expect(added.plain).toContain('eggs — Dairy & Eggs');
    expect(added.plain).toContain('bread (1 loaf) — Bakery');
    expect(buttonsOf(added).map(([text]) => text)).toEqual(['↩️ Undo']);

    // Jon answers the bot's message: a reply to the bot is addressed to it.
    fake.sendText(family, jon, 'add 2 l milk', { replyTo: added.message_id });
    const merged = await nextMessage(fake, family);
    expect(merged.plain).toContain('milk — 3 l');

    await fake.waitForIdle();
    const before = fake.calls.length;
    fake.sendText(family, kid, 'I love milk');
    await fake.waitForIdle();
    expect(callsSince(fake, before)).toEqual([]);

    fake.sendText(family, ada, '/list');
    const list = await nextMessage(fake, family);
    expect(list.plain).toContain('milk (3 l)');
    expect(buttonsOf(list).map(([text]) => text).sort()).toEqual(['✓ bread', '✓ eggs', '✓ milk']);

    // At the shop: Jon ticks milk, then eggs by mistake, then undoes the eggs.
    fake.pressButton(family, jon, list.message_id, buttonData(list, '✓ milk'));
    await nextEdit(fake, family);
    await fake.waitForIdle();
    fake.pressButton(family, jon, list.message_id, buttonData(list, '✓ eggs'));
    await nextEdit(fake, family);
    await fake.waitForIdle();
    expect(list.plain).toContain('✓ eggs, milk');
    expect(buttonsOf(list).map(([text]) => text)).toEqual(['✓ bread', '↩️ Undo ✓ eggs']);
    fake.pressButton(family, jon, list.message_id, buttonData(list, 'Undo ✓ eggs'));
    await nextEdit(fake, family);
    await fake.waitForIdle();

    // Every tick edited the one list message; nothing new was sent for them.
    expect(fake.messagesIn(family).map((message) => message.message_id)).toEqual([greeting.message_id, added.message_id, merged.message_id, list.message_id]);
    expect(list.edits).toHaveLength(3);
    expect(list.plain).toContain('• eggs');
    expect(list.plain).toContain('✓ milk');
    expect(list.plain).toContain('Jon undid: ');
    expect(buttonsOf(list).map(([text]) => text).sort()).toEqual(['✓ bread', '✓ eggs']);
    expect(fake.callbackAnswers.map((answer) => answer.text)).toEqual([
      '✓ milk — in the pantry now',
      '✓ eggs — in the pantry now',
      expect.stringContaining('Undid: '),
    ]);

    // The household: the group's own, both speakers recorded; the milk is in the pantry, the eggs are not.
    const household = await h.t.core.households.findBySlug(`tg-${family.id}`);
    expect(household?.name).toBe('Okafor-Lindqvist');
    const ctx = newRequest(household?.id ?? 0, { door: 'cli', name: 'test' });
    expect((await h.t.core.pantry.list(ctx)).map((entry) => entry.name)).toEqual(['milk']);
    const members = await h.t.core.households.members(household?.id ?? 0);
    expect(members.map((member) => member.displayName).sort()).toEqual(['Ada', 'Jon']);
    expect(members.every((member) => typeof member.telegramUserId === 'bigint' && member.telegramUserId > 2n ** 32n)).toBe(true);

    console.log(fake.transcript(family));
  });

  it('answers /cmd@thisbot, ignores /cmd@otherbot and unknown bare commands, and answers an unknown /cmd@thisbot', async () => {
    const { fake } = h;
    const flat = fake.group('Flat 3');
    const ada = fake.user('Ada');

    fake.sendText(flat, ada, `/lists@${fake.bot.username}`);
    expect((await nextMessage(fake, flat)).plain).toContain('Shopping');
    await fake.waitForIdle();

    const before = fake.calls.length;
    fake.sendText(flat, ada, '/list@some_other_bot');
    fake.sendText(flat, ada, '/weather');
    await fake.waitForIdle();
    expect(callsSince(fake, before)).toEqual([]);

    fake.sendText(flat, ada, `/weather@${fake.bot.username}`);
    expect((await nextMessage(fake, flat)).plain).toContain('I don’t know /weather');

    fake.sendText(flat, ada, `/help@${fake.bot.username}`);
    const help = await nextMessage(fake, flat);
    for (const command of fake.commands()) expect(help.plain).toContain(`/${command.command}`);
  });
});
