import { afterEach, describe, expect, it } from 'vitest';
import { newRequest } from '../../src/core/context.ts';
import { createLlm } from '../../src/core/llm/llm.ts';
import { silentLogger } from '../../src/core/log.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';
import { testDatabaseKind } from '../support/core.ts';
import { buttonData, buttonsOf, nextEdit, nextMessage, startBotHarness, type BotHarness } from './harness.ts';

const OGG = Buffer.from('OggS fake voice note');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);

describe(`voice notes and receipt photos (${testDatabaseKind})`, () => {
  let h: BotHarness | undefined;
  let openai: FakeOpenAi | undefined;
  afterEach(async () => {
    await h?.close();
    await openai?.close();
    h = undefined;
    openai = undefined;
  });

  async function withLlm() {
    openai = await startFakeOpenAi();
    const llm = createLlm({ baseURL: openai.url, apiKey: 'test', model: 'test', concurrency: 4, rpm: 1000 }, { log: silentLogger() });
    h = await startBotHarness({ llm });
    return { h, openai };
  }

  it('without an LLM, says plainly that voice notes and photos need one', async () => {
    h = await startBotHarness();
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    fake.sendVoice(dm, ada, OGG);
    const voice = await nextMessage(fake, dm);
    expect(voice.plain).toContain('without an LLM');
    expect(voice.plain).toContain('OPENAI_BASE_URL');
    fake.sendPhoto(dm, ada, JPEG);
    expect((await nextMessage(fake, dm)).plain).toContain('without an LLM');
    // Nothing was downloaded for nothing.
    expect(fake.calls.some((call) => call.method === 'getFile')).toBe(false);
  });

  it('a voice note is transcribed into a preview; Confirm puts the items on the list, with an Undo', async () => {
    const { h, openai } = await withLlm();
    const { fake } = h;
    const ada = fake.user('Ada');
    const family = fake.group('Family');
    fake.sendText(family, ada, "/lists");
    const lists = await nextMessage(fake, family);
    openai.script({ kind: 'transcription', text: 'add dish soap and nappies' });
    // In a group a voice note is for the bot when it replies to one of its messages.
    fake.sendVoice(family, ada, OGG, { replyTo: lists.message_id });
    const preview = await nextMessage(fake, family);
    expect(preview.plain).toContain('“add dish soap and nappies”');
    expect(buttonsOf(preview).map(([text]) => text)).toEqual(['✅ Confirm', '✖️ Cancel']);
    const transcription = openai.calls.find((call) => call.path === '/v1/audio/transcriptions');
    expect((transcription?.body as { file?: { size?: number } } | undefined)?.file?.size).toBe(OGG.length);

    const household = await h.t.core.households.findBySlug(`tg-${family.id}`);
    const ctx = newRequest(household?.id ?? 0, { door: 'cli', name: 'test' });
    expect((await h.t.core.lists.get(ctx)).items).toEqual([]);

    const jon = fake.user('Jon');
    fake.pressButton(family, jon, preview.message_id, buttonData(preview, 'Confirm'));
    await nextEdit(fake, family);
    await fake.waitForIdle();
    expect(preview.plain).toContain('Done');
    expect(buttonsOf(preview).map(([text]) => text)).toEqual(['↩️ Undo']);
    expect((await h.t.core.lists.get(ctx)).items.map((item) => item.name).sort()).toEqual(['dish soap', 'nappies']);

    fake.pressButton(family, jon, preview.message_id, buttonData(preview, 'Undo'));
    await nextEdit(fake, family);
    expect(preview.plain).toContain('Jon undid this');
    expect((await h.t.core.lists.get(ctx)).items).toEqual([]);
  });

  it('a receipt photo becomes a preview of pantry items; Cancel changes nothing', async () => {
    const { h, openai } = await withLlm();
    const { fake } = h;
    const ada = fake.user('Ada');
    const dm = fake.privateChat(ada);
    openai.script({ kind: 'json', value: { items: [{ name: 'milk', quantity: '1 l' }, { name: 'rye bread', quantity: null }] } });
    fake.sendPhoto(dm, ada, JPEG);
    const preview = await nextMessage(fake, dm);
    expect(preview.plain).toContain('milk (1 l)');
    fake.pressButton(dm, ada, preview.message_id, buttonData(preview, 'Cancel'));
    await nextEdit(fake, dm);
    expect(preview.plain).toContain('Nothing was changed');
    expect(buttonsOf(preview)).toEqual([]);
    const household = await h.t.core.households.findBySlug(`tg-user-${ada.id}`);
    expect(await h.t.core.pantry.list(newRequest(household?.id ?? 0, { door: 'cli', name: 'test' }))).toEqual([]);
  });
});
