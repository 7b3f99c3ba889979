import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/core.ts';
import { nextMessage, startBotHarness, type BotHarness } from './harness.ts';

describe(`per-person message limit (${testDatabaseKind})`, () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = await startBotHarness({ userPerMinute: 3 });
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers a flood once, then stays quiet until the minute has passed; others are not affected', async () => {
    const { fake, t } = h;
    const ada = fake.user('Ada');
    const jon = fake.user('Jon');
    const adaChat = fake.privateChat(ada);
    const jonChat = fake.privateChat(jon);
    for (const item of ['milk', 'eggs', 'bread']) {
      fake.sendText(adaChat, ada, `add ${item}`);
      await nextMessage(fake, adaChat);
    }
    fake.sendText(adaChat, ada, 'add cheese');
    expect((await nextMessage(fake, adaChat)).plain).toMatch(/a lot of messages at once/);
    fake.sendText(adaChat, ada, 'add butter');
    fake.sendText(jonChat, jon, 'add tea');
    expect((await nextMessage(fake, jonChat)).plain).toContain('tea');
    await fake.waitForIdle(300);
    // Ada's fifth message got nothing at all, and neither it nor the fourth changed anything.
    expect(fake.messagesIn(adaChat).map((message) => message.plain)).toHaveLength(4);
    t.clock.advance(61_000);
    fake.sendText(adaChat, ada, 'show the list');
    const list = await nextMessage(fake, adaChat);
    expect(list.plain).toContain('milk');
    expect(list.plain).not.toContain('cheese');
    expect(list.plain).not.toContain('butter');
  });
});
