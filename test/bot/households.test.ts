import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { newRequest } from '../../src/core/context.ts';
import { testDatabaseKind } from '../support/core.ts';
import { buttonData, buttonsOf, nextMessage, startBotHarness, type BotHarness } from './harness.ts';

describe(`households and chats (${testDatabaseKind})`, () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('keeps two groups apart, even when the same person is in both', async () => {
    const { fake } = h;
    const bot = `@${fake.bot.username}`;
    const ours = fake.group('Okafors');
    const cousins = fake.group('Cousins');
    const jon = fake.user('Jon');
    const mia = fake.user('Mia');

    fake.sendText(ours, jon, `${bot} add nappies`);
    await nextMessage(fake, ours);
    fake.sendText(cousins, mia, `${bot} add oat milk`);
    await nextMessage(fake, cousins);
    fake.sendText(cousins, jon, '/list');
    const theirs = await nextMessage(fake, cousins);
    expect(theirs.plain).toContain('oat milk');
    expect(theirs.plain).not.toContain('nappies');
    fake.sendText(ours, jon, '/list');
    const ourList = await nextMessage(fake, ours);
    expect(ourList.plain).toContain('nappies');
    expect(ourList.plain).not.toContain('oat milk');

    // /undo in their group never reaches ours.
    fake.sendText(cousins, mia, '/undo');
    expect((await nextMessage(fake, cousins)).plain).toContain('oat milk');
    fake.sendText(ours, jon, '/list');
    expect((await nextMessage(fake, ours)).plain).toContain('nappies');

    const a = await h.t.core.households.findBySlug(`tg-${ours.id}`);
    const b = await h.t.core.households.findBySlug(`tg-${cousins.id}`);
    expect(a && b && a.id !== b.id).toBe(true);
    // Jon is a member of both households, separately.
    expect((await h.t.core.households.members(a?.id ?? 0)).map((m) => m.displayName)).toEqual(['Jon']);
    expect((await h.t.core.households.members(b?.id ?? 0)).map((m) => m.displayName).sort()).toEqual(['Jon', 'Mia']);
  });

  it('a button press from another household’s chat cannot touch this household', async () => {
    const { fake } = h;
    const bot = `@${fake.bot.username}`;
    const ours = fake.group('Okafors');
    const theirs = fake.group('Cousins');
    const jon = fake.user('Jon');
    const mia = fake.user('Mia');
    fake.sendText(ours, jon, `${bot} add nappies`);
    await nextMessage(fake, ours);
    fake.sendText(ours, jon, '/list');
    const ourList = await nextMessage(fake, ours);
    fake.sendText(theirs, mia, '/list');
    const theirList = await nextMessage(fake, theirs);
    await fake.waitForIdle();

    // Mia forges our ✓ and Undo data onto a press in her own group's chat.
    const tick = buttonData(ourList, '✓ nappies');
    const forged = (data: string): Update => ({
      update_id: 900_000_000 + data.length,
      callback_query: {
        id: 'forged',
        from: { id: mia.id, is_bot: false, first_name: 'Mia' },
        message: theirList.message,
        chat_instance: 'x',
        data,
      },
    });
    await h.service.bot.handleUpdate(forged(tick));
    const household = await h.t.core.households.findBySlug(`tg-${ours.id}`);
    const ctx = newRequest(household?.id ?? 0, { door: 'cli', name: 'test' });
    const shown = await h.t.core.lists.get(ctx);
    expect(shown.items.map((item) => [item.name, item.checked])).toEqual([['nappies', false]]);
    expect(await h.t.core.pantry.list(ctx)).toEqual([]);
  });

  it('a private chat: /start explains, then add and list work in a personal household', async () => {
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);

    fake.sendText(dm, ada, '/start');
    const start = await nextMessage(fake, dm);
    expect(start.plain).toContain('Larder');
    expect(start.plain).toContain('add 1 l milk, eggs and a loaf of bread');

    fake.sendText(dm, ada, 'add 2 l milk and a dozen eggs');
    const added = await nextMessage(fake, dm);
    expect(added.plain).toContain('milk (2 l)');
    expect(buttonsOf(added).map(([text]) => text)).toEqual(['↩️ Undo']);

    fake.sendText(dm, ada, 'show the list');
    const list = await nextMessage(fake, dm);
    expect(list.plain).toContain('milk (2 l)');
    expect(buttonsOf(list).map(([text]) => text).sort()).toEqual(['✓ eggs', '✓ milk']);

    const household = await h.t.core.households.findBySlug(`tg-user-${ada.id}`);
    expect(household).not.toBeNull();
    expect((await h.t.core.households.members(household?.id ?? 0))[0]?.role).toBe('owner');
  });

  it('/invite in a group and /join in a private chat share the group’s lists', async () => {
    const { fake } = h;
    const family = fake.group('Family');
    const ada = fake.user('Ada');
    const jon = fake.user('Jon');
    fake.sendText(family, ada, `@${fake.bot.username} add coffee`);
    await nextMessage(fake, family);
    fake.sendText(family, ada, '/invite');
    const invite = await nextMessage(fake, family);
    const code = /\/join ([A-Z0-9]{8})/.exec(invite.plain)?.[1];
    expect(code).toBeDefined();
    expect(buttonsOf(invite)).toEqual([['Open a private chat', '']]);

    const dm = fake.privateChat(jon);
    fake.sendText(dm, jon, '/join NOPE1234');
    expect((await nextMessage(fake, dm)).plain).toContain('not a valid code');
    fake.sendText(dm, jon, `/join ${code?.toLowerCase() ?? ''}`);
    expect((await nextMessage(fake, dm)).plain).toContain('You’re in Family now');
    fake.sendText(dm, jon, 'add tea');
    await nextMessage(fake, dm);

    fake.sendText(family, ada, '/list');
    const list = await nextMessage(fake, family);
    expect(list.plain).toContain('coffee');
    expect(list.plain).toContain('tea');

    // Codes last 24 hours.
    h.t.clock.advance(25 * 60 * 60 * 1000);
    const mia = fake.user('Mia');
    const miaDm = fake.privateChat(mia);
    fake.sendText(miaDm, mia, `/start join-${code ?? ''}`);
    expect((await nextMessage(fake, miaDm)).plain).toContain('expired');
  });

  it('/settings changes the time zone and the digest, with an Undo', async () => {
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.sendText(dm, ada, '/settings');
    expect((await nextMessage(fake, dm)).plain).toContain('Time zone: UTC');
    fake.sendText(dm, ada, '/settings timezone Mars/Olympus');
    expect((await nextMessage(fake, dm)).plain).toContain('is not a time zone');
    fake.sendText(dm, ada, '/settings timezone Europe/Stockholm');
    const changed = await nextMessage(fake, dm);
    expect(changed.plain).toContain('Europe/Stockholm');
    expect(buttonsOf(changed).map(([text]) => text)).toEqual(['↩️ Undo']);
    fake.sendText(dm, ada, '/settings digest 7:30');
    expect((await nextMessage(fake, dm)).plain).toContain('07:30');
    fake.sendText(dm, ada, '/settings digest off');
    expect((await nextMessage(fake, dm)).plain).toContain('off');
    const household = await h.t.core.households.findBySlug(`tg-user-${ada.id}`);
    expect(household?.timeZone).toBe('Europe/Stockholm');
    expect(household?.digestTime).toBeNull();
  });
});
