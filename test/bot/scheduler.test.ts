import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newRequest } from '../../src/core/context.ts';
import { createScheduler } from '../../src/bot/scheduler.ts';
import { createTelegramStore } from '../../src/bot/store.ts';
import { testDatabaseKind } from '../support/core.ts';
import { buttonData, buttonsOf, callsSince, nextEdit, nextMessage, startBotHarness, testLog, type BotHarness } from './harness.ts';

describe(`reminders and the daily digest (${testDatabaseKind})`, () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('reminds the group at 18:00 household time, once, with a ✓ Done button', async () => {
    const { fake, t } = h;
    const family = fake.group('Family');
    const ada = fake.user('Ada');
    const bot = `@${fake.bot.username}`;
    t.clock.set('2026-03-06T08:00:00Z');
    fake.sendText(family, ada, '/settings timezone Europe/Stockholm');
    await nextMessage(fake, family);
    fake.sendText(family, ada, `${bot} remind me at 6pm to take the fish out of the freezer`);
    const noted = await nextMessage(fake, family);
    expect(noted.plain).toContain('today at 18:00');
    await fake.waitForIdle();

    // 18:00 in Stockholm is 17:00 UTC in March.
    t.clock.set('2026-03-06T16:59:00Z');
    const before = fake.calls.length;
    expect(await h.scheduler.tick()).toEqual({ reminders: 0, digests: 0 });
    expect(callsSince(fake, before)).toEqual([]);

    t.clock.set('2026-03-06T17:00:10Z');
    expect(await h.scheduler.tick()).toEqual({ reminders: 1, digests: 0 });
    const reminder = await nextMessage(fake, family, 5000, before);
    expect(reminder.plain).toMatch(/^⏰ Reminder for Ada: take the fish out of the freezer/);
    expect(buttonsOf(reminder).map(([text]) => text)).toEqual(['✓ Done']);

    t.clock.set('2026-03-06T17:01:00Z');
    expect(await h.scheduler.tick()).toEqual({ reminders: 0, digests: 0 });

    const jon = fake.user('Jon');
    fake.pressButton(family, jon, reminder.message_id, buttonData(reminder, 'Done'));
    await nextEdit(fake, family);
    expect(reminder.plain).toContain('done (Jon)');
    expect(buttonsOf(reminder).map(([text]) => text)).toEqual(['↩️ Undo']);
  });

  it('reminds a personal household in its private chat', async () => {
    const { fake, t } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    t.clock.set('2026-03-06T08:00:00Z');
    fake.sendText(dm, ada, 'remind me at 6pm to call the plumber');
    await nextMessage(fake, dm);
    await fake.waitForIdle();
    const before = fake.calls.length;
    t.clock.set('2026-03-06T18:00:00Z');
    expect(await h.scheduler.tick()).toEqual({ reminders: 1, digests: 0 });
    expect((await nextMessage(fake, dm, 5000, before)).plain).toMatch(/^⏰ Reminder for Ada: call the plumber/);
  });

  it('sends the digest at 08:00 household time — not at 07:59, not twice — with a suggestion', async () => {
    const { fake, t } = h;
    const family = fake.group('Family');
    const quiet = fake.group('Nothing expires here');
    const ada = fake.user('Ada');
    t.clock.set('2026-03-05T12:00:00Z');
    fake.sendText(family, ada, '/settings timezone Europe/Stockholm');
    await nextMessage(fake, family);
    fake.sendText(quiet, ada, '/pantry');
    await nextMessage(fake, quiet);
    const household = await t.core.households.findBySlug(`tg-${family.id}`);
    const ctx = newRequest(household?.id ?? 0, { door: 'cli', name: 'test' });
    await t.core.pantry.update(ctx, {
      items: [
        { name: 'yoghurt', quantity: '500 g', expiresOn: '2026-03-08' },
        { name: 'spinach', quantity: '200 g', expiresOn: '2026-03-07' },
        { name: 'rice', quantity: '2 kg', expiresOn: '2027-01-01' },
        { name: 'eggs', quantity: '6' },
      ],
    });
    await t.core.recipes.save(newRequest(ctx.householdId, ctx.actor), {
      title: 'Spinach omelette',
      servings: 2,
      ingredients: [{ name: 'spinach', amount: 100, unit: 'g' }, { name: 'eggs', amount: 4, unit: null }],
      steps: ['Whisk the eggs.', 'Wilt the spinach, add the eggs.'],
    });
    await fake.waitForIdle();
    const before = fake.calls.length;

    // 07:59 in Stockholm (UTC+1) on Friday.
    t.clock.set('2026-03-06T06:59:00Z');
    expect(await h.scheduler.tick()).toEqual({ reminders: 0, digests: 0 });
    expect(callsSince(fake, before)).toEqual([]);

    t.clock.set('2026-03-06T07:00:00Z');
    expect(await h.scheduler.tick()).toEqual({ reminders: 0, digests: 1 });
    const digest = await nextMessage(fake, family, 5000, before);
    expect(digest.plain).toContain('spinach — expires tomorrow');
    expect(digest.plain).toContain('yoghurt — expires in 2 days');
    expect(digest.plain).not.toContain('rice');
    expect(digest.plain).toContain('Spinach omelette');

    t.clock.set('2026-03-06T07:05:00Z');
    expect(await h.scheduler.tick()).toEqual({ reminders: 0, digests: 0 });
    t.clock.set('2026-03-06T12:00:00Z');
    expect(await h.scheduler.tick()).toEqual({ reminders: 0, digests: 0 });
    await fake.waitForIdle();
    // One message in all: nothing expires in the quiet group, so it got none.
    expect(callsSince(fake, before).filter((call) => call.method === 'sendMessage')).toHaveLength(1);

    // The next morning it comes again.
    t.clock.set('2026-03-07T07:00:30Z');
    expect(await h.scheduler.tick()).toEqual({ reminders: 0, digests: 1 });
  });

  it('sends once when two instances tick at the same moment', async () => {
    const { fake, t } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    t.clock.set('2026-03-06T08:00:00Z');
    fake.sendText(dm, ada, 'remind me at 6pm to water the plants');
    await nextMessage(fake, dm);
    await fake.waitForIdle();
    const other = createScheduler({ core: t.core, api: h.service.bot.api, store: createTelegramStore({ db: t.core.db, clock: t.clock }), log: testLog(), clock: t.clock });
    t.clock.set('2026-03-06T18:00:00Z');
    const results = await Promise.all([h.scheduler.tick(), other.tick(), h.scheduler.tick(), other.tick()]);
    const sent = results.reduce((sum, result) => sum + (result?.reminders ?? 0), 0);
    expect(sent).toBe(1);
    await fake.waitForIdle();
    expect(fake.messagesIn(dm).filter((message) => message.plain.includes('water the plants') && message.plain.startsWith('⏰'))).toHaveLength(1);
  });
});
