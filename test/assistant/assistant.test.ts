import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistantFor, type Assistant } from '../../src/core/assistant/assistant.ts';
import { escapeHtml, htmlToPlain, renderList } from '../../src/core/assistant/render.ts';
import { again, testCore, type TestCore } from '../support/core.ts';

let t: TestCore;
let assistant: Assistant;
beforeAll(async () => {
  t = await testCore();
  assistant = assistantFor(t.core);
});
afterAll(async () => {
  await t.close();
});

describe('the assistant without an LLM', () => {
  it('adds in one message with categories and an undo, and merges the next add', async () => {
    const ctx = await t.household('monday');
    const first = again(ctx);
    const reply = await assistant.handle(first, 'add 1 l milk, eggs and a loaf of bread');
    expect(htmlToPlain(reply.html)).toBe('Added to Shopping:\n• milk (1 l) — Dairy & Eggs\n• eggs — Dairy & Eggs\n• bread (1 loaf) — Bakery');
    expect(reply.undoRequestId).toBe(first.requestId);
    const second = await assistant.handle(again(ctx), 'add 2 l milk');
    expect(htmlToPlain(second.html)).toBe('Already on Shopping, now:\n• milk — 3 l');
    const list = await assistant.handle(again(ctx), 'show the list');
    expect(list.list?.items.map((item) => [item.name, item.quantity])).toEqual([
      ['eggs', null],
      ['milk', '3 l'],
      ['bread', '1 loaf'],
    ]);
  });

  it("marks rice out and offers the list where rice is bought; the offer's button restocks it", async () => {
    const ctx = await t.household('wednesday');
    await t.core.lists.create(ctx, { name: 'Costco', store: 'Costco' });
    await t.core.lists.add(again(ctx), { list: 'costco', items: [{ name: 'rice', quantity: '5 kg' }] });
    await t.core.lists.check(again(ctx), { list: 'costco', items: ['rice'] });
    const reply = await assistant.handle(again(ctx), "we're out of rice");
    expect(htmlToPlain(reply.html)).toBe('🥫 Marked rice as out. Put it on the Costco list?');
    expect(reply.actions).toEqual([{ label: '🛒 Add to Costco', action: { kind: 'restock', pantryIds: [expect.any(Number)] } }]);
    const restocked = await assistant.runAction(again(ctx), reply.actions?.[0]?.action ?? { kind: 'restock', pantryIds: [] });
    expect(htmlToPlain(restocked.html)).toContain('Added to Costco:\n• rice — Pantry');
    expect((await t.core.lists.get(ctx, { list: 'costco' })).items.filter((item) => !item.checked).map((item) => item.name)).toEqual(['rice']);
  });

  it('says plainly what it cannot do without an LLM, and what it can', async () => {
    const ctx = await t.household('no-llm');
    const chat = await assistant.handle(again(ctx), 'I love milk');
    expect(chat.understood).toBe(false);
    expect(htmlToPlain(chat.html)).toMatch(/didn't get that.*OPENAI_BASE_URL/s);
    expect(chat.html).toContain('/list');
    const voice = await assistant.handleVoice(again(ctx), Buffer.from('x'), 'voice.ogg');
    expect(voice.html).toMatch(/can't listen to voice notes without an LLM/);
    const photo = await assistant.handlePhoto(again(ctx), Buffer.from('x'), 'image/jpeg');
    expect(photo.html).toMatch(/can't read receipt photos without an LLM/);
    expect(await t.core.journal.history(ctx)).toEqual([]);
  });

  it('answers a failed change with the reason, changing nothing', async () => {
    const ctx = await t.household('errors');
    const reply = await assistant.handle(again(ctx), 'add milk to lidl');
    expect(htmlToPlain(reply.html)).toBe('⚠️ There is no list called "lidl". Lists: Shopping. Create it first ("create list lidl").');
    expect(reply.undoRequestId).toBeUndefined();
    expect(await t.core.journal.history(ctx)).toEqual([]);
  });

  it('turns a pasted recipe into a preview that Confirm saves', async () => {
    const ctx = await t.household('paste');
    const text = 'Pancakes\nServes 4\n\nIngredients\n200 g flour\n2 eggs\n300 ml milk\n\nMethod\n1. Whisk.\n2. Fry.';
    const reply = await assistant.handle(again(ctx), text);
    expect(reply.preview?.summary).toBe('save the recipe Pancakes');
    expect(htmlToPlain(reply.html)).toBe('📖 Pancakes — serves 4\n• 200 g flour\n• 2 eggs\n• 300 ml milk\n2 steps. Save it?');
    expect(await t.core.recipes.search(ctx)).toEqual([]);
    const confirmed = await assistant.confirm(again(ctx), reply.preview?.id ?? '');
    expect(htmlToPlain(confirmed.html)).toBe('✅ Done: save the recipe Pancakes.');
    expect((await t.core.recipes.search(ctx)).map((recipe) => recipe.title)).toEqual(['Pancakes']);
  });

  it('adds a reminder and says when, in the household time zone', async () => {
    const ctx = await t.household('reminder');
    await t.core.households.update(ctx, { timeZone: 'Europe/Stockholm' });
    t.clock.set('2026-03-06T07:00:00Z');
    const reply = await assistant.handle(again(ctx), 'remind me at 6pm to take the fish out of the freezer');
    expect(htmlToPlain(reply.html)).toBe("📝 take the fish out of the freezer — I'll remind you today at 18:00.");
    const tasks = await t.core.lists.get(ctx, { list: 'tasks' });
    expect(tasks.items[0]?.remindAt).toBe('2026-03-06T17:00:00.000Z');
    t.clock.set('2026-03-02T09:00:00Z');
  });
});

describe('rendering', () => {
  it('escapes what people type, so an item name cannot break the HTML', () => {
    expect(escapeHtml('<b>&')).toBe('&lt;b&gt;&amp;');
    const html = renderList(
      { id: 1, name: 'Shop <1>', kind: 'grocery', store: null, isDefault: true },
      [
        { id: 1, listId: 1, name: '<script>alert(1)</script>', key: 'x', quantity: '2 & more', amount: null, unit: null, category: 'Other', note: null, checked: false, checkedAt: null, addedBy: null, sourceRecipeId: null, dueAt: null, remindAt: null },
      ],
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; (2 &amp; more)');
    expect(htmlToPlain(html)).toContain('<script>alert(1)</script> (2 & more)');
  });
});
